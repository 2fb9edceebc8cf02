// Command partnerbot is the partner program's chat bot: `partnerbot serve`
// runs it, the other verbs manage its ledger. See README.md.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"partnerbot/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.New().Run(ctx, os.Args[1:])
	stop()
	os.Exit(code)
}
