// retarget moves every object to another namespace (config namespace) and adds
// a ClusterRole: the host must report both changes.
package main

import (
	"capstan.dev/testplugins/internal/prv1"
	"gopkg.in/yaml.v3"
)

func retarget(manifests string, _ []string) (string, error) {
	docs, err := prv1.Decode(manifests)
	if err != nil {
		return "", err
	}
	ns := prv1.Config("namespace", "elsewhere")
	for _, d := range docs {
		prv1.Set(prv1.Ensure(d, "metadata", yaml.MappingNode), "namespace", ns)
	}
	var extra yaml.Node
	if err := yaml.Unmarshal([]byte("apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: retarget-extra\nrules: []\n"), &extra); err != nil {
		return "", err
	}
	docs = append(docs, extra.Content[0])
	return prv1.Encode(docs)
}

//go:wasmexport helm_plugin_main
func helmPluginMain() uint32 { return prv1.Run(retarget) }

func main() {}
