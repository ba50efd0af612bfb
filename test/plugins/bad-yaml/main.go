// bad-yaml answers with manifests that are not YAML.
package main

import "capstan.dev/testplugins/internal/prv1"

//go:wasmexport helm_plugin_main
func helmPluginMain() uint32 {
	return prv1.Run(func(string, []string) (string, error) {
		return "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: [unclosed\n", nil
	})
}

func main() {}
