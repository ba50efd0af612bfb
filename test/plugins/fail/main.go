// fail writes to stderr and exits with status 3 through the Extism error.
package main

import (
	"fmt"
	"os"

	pdk "github.com/extism/go-pdk"
)

//go:wasmexport helm_plugin_main
func helmPluginMain() uint32 {
	fmt.Fprintln(os.Stderr, "fail: refusing to render: policy violation")
	pdk.SetErrorString("policy check failed: Deployment/web has no resource limits")
	return 3
}

func main() {}
