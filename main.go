// Command gaiaflow runs an MLOps stack for Airflow workflows on your laptop.
package main

import (
	"os"

	"github.com/gaiaflow/gaiaflow/ui/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
