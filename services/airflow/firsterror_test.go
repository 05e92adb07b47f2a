package airflow

import (
	"os"
	"testing"
)

func TestFirstError(t *testing.T) {
	boom, err := os.ReadFile("testdata/log_boom.txt")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct{ name, log, want string }{
		{"a real failed task's log: its exception", string(boom), "RuntimeError: boom on purpose"},
		{"a chain: the first printed, the root cause",
			"Traceback (most recent call last):\n  File \"a.py\", line 1, in f\nKeyError: 'x'\n\nThe above exception was the direct cause of the following exception:\n\nTraceback (most recent call last):\n  File \"b.py\", line 2, in g\nValueError: bad shape\n",
			"KeyError: 'x'"},
		{"no traceback: the first ERROR line's message",
			"2026-11-26T18:26:12.864Z INFO task - fine\n2026-11-26T18:26:12.902Z ERROR task - Task exited with return code 1\n", "Task exited with return code 1"},
		{"nothing wrong", "2026-11-26T18:26:12.864Z INFO task - fine\n", ""},
	}
	for _, c := range cases {
		if got := FirstError(c.log); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}
