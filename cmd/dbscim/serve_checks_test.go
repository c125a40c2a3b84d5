package main

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestServeChecks runs `dbscim serve` over a target whose list selects a column
// the table does not have: the target is not ready (503, the problem logged at its
// place in the file), and with --skip-checks it is served unchecked (500).
func TestServeChecks(t *testing.T) {
	for _, skip := range []bool{false, true} {
		name := "checked"
		if skip {
			name = "skip-checks"
		}
		t.Run(name, func(t *testing.T) {
			yaml := strings.Replace(config("  listen: 127.0.0.1:0\n  tls: off\n", "{bearer: "+token1+"}"),
				`list: {sql: "SELECT id, user_name,`, `list: {sql: "SELECT id, nickname, user_name,`, 1)
			file := writeConfig(t, t.TempDir(), yaml)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			saved := stopContext
			stopContext = ctx
			defer func() { stopContext = saved }()
			args := []string{"serve", "--config", file, "--watch", "0"}
			if skip {
				args = append(args, "--skip-checks")
			}
			stdout, stderr := &syncBuffer{}, &syncBuffer{}
			exit := make(chan int, 1)
			go func() { exit <- run(args, stdout, stderr) }()
			urlRE := regexp.MustCompile(`serving target "t1" at (http://\S+)`)
			waitFor(t, "the server to start", func() bool { return urlRE.MatchString(stdout.String()) })
			url := urlRE.FindStringSubmatch(stdout.String())[1]
			status, err := post(url, token1, strings.NewReader(user("ann@example.com")))
			if err != nil {
				t.Fatal(err)
			}
			logs := stderr.String()
			problem := regexp.MustCompile(`"msg":"configuration check failed","target":"t1","problem":"[^"]*dbscim\.yaml:\d+:\d+: [^"]*nickname`)
			if skip {
				// Unchecked, the mistake surfaces as the 500 the checks are there
				// to prevent (a create first looks the userName up in the list).
				if status != 500 || !strings.Contains(logs, `"msg":"target served unchecked: checks turned off (--skip-checks)"`) || problem.MatchString(logs) {
					t.Fatalf("with --skip-checks: create %d\n%s", status, logs)
				}
			} else if status != 503 || !problem.MatchString(logs) {
				t.Fatalf("checked: create %d\n%s", status, logs)
			}
			cancel()
			select {
			case code := <-exit:
				if code != 0 {
					t.Fatalf("serve exited %d:\n%s", code, stderr.String())
				}
			case <-time.After(15 * time.Second):
				t.Fatal("serve did not stop")
			}
		})
	}
}
