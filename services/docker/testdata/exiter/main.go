// Command exiter is the program in the containers of services/docker's
// real-engine tests: `exiter DURATION CODE` sleeps, then exits with CODE;
// `exiter health` exits 0 at once (a healthcheck that passes).
package main

import (
	"os"
	"strconv"
	"time"
)

func main() {
	if len(os.Args) == 2 && os.Args[1] == "health" {
		return
	}
	if len(os.Args) != 3 {
		os.Exit(2)
	}
	d, err := time.ParseDuration(os.Args[1])
	if err != nil {
		os.Exit(2)
	}
	code, err := strconv.Atoi(os.Args[2])
	if err != nil {
		os.Exit(2)
	}
	time.Sleep(d)
	os.Exit(code)
}
