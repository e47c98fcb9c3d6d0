// Command kernia-admin is a scriptable admin CLI for Kernia authentication servers.
package main

import (
	"os"

	"github.com/kernia-dev/kernia-admin/commands"
)

func main() { os.Exit(commands.Main()) }
