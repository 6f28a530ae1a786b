// compose-check validates docker compose files offline with compose-go, the library Docker
// Compose itself loads files with: the Compose Specification schema, interpolation, anchors and
// merges, and references between services (depends_on, volumes), with every profile enabled.
//
//	compose-check [-env KEY=VALUE ...] docker-compose.yml
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/compose-spec/compose-go/v2/cli"
)

type envFlags []string

func (e *envFlags) String() string     { return strings.Join(*e, ",") }
func (e *envFlags) Set(v string) error { *e = append(*e, v); return nil }

func main() {
	var env envFlags
	flag.Var(&env, "env", "KEY=VALUE for interpolation (repeatable)")
	flag.Parse()
	if flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: compose-check [-env KEY=VALUE ...] compose.yml ...")
		os.Exit(2)
	}
	options, err := cli.NewProjectOptions(flag.Args(),
		cli.WithEnv(env),
		cli.WithName("check"),
		cli.WithResolvedPaths(true),
		// Every profile's services (e.g. observability) are checked, not only the default ones.
		cli.WithProfiles([]string{"*"}),
	)
	if err == nil {
		var project interface{ ServiceNames() []string }
		project, err = options.LoadProject(context.Background())
		if err == nil {
			fmt.Printf("ok: %s\n", strings.Join(project.ServiceNames(), ", "))
			return
		}
	}
	fmt.Fprintf(os.Stderr, "compose-check: %v\n", err)
	os.Exit(1)
}
