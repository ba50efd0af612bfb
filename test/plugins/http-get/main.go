// http-get fetches a URL with the Extism HTTP client (the kernel's http_request)
// and annotates every object with the trimmed response body. Config: url (required),
// annotation (default capstan.dev/fetched). A response outside 2xx fails the
// call with the status and body; a refused or failed request fails it in the host.
package main

import (
	"fmt"
	"strings"

	"capstan.dev/testplugins/internal/prv1"
	pdk "github.com/extism/go-pdk"
	"gopkg.in/yaml.v3"
)

func fetch(manifests string, _ []string) (string, error) {
	url := prv1.Config("url", "")
	if url == "" {
		return "", fmt.Errorf("config url is required")
	}
	key := prv1.Config("annotation", "capstan.dev/fetched")
	res := pdk.NewHTTPRequest(pdk.MethodGet, url).
		SetHeader("X-Capstan-Test", "http-get").
		Send()
	body := strings.TrimSpace(string(res.Body()))
	if s := res.Status(); s < 200 || s > 299 {
		return "", fmt.Errorf("GET %s: HTTP status %d: %s", url, s, body)
	}
	pdk.Log(pdk.LogDebug, fmt.Sprintf("fetched %d bytes", len(body)))
	docs, err := prv1.Decode(manifests)
	if err != nil {
		return "", err
	}
	for _, d := range docs {
		meta := prv1.Ensure(d, "metadata", yaml.MappingNode)
		prv1.Set(prv1.Ensure(meta, "annotations", yaml.MappingNode), key, body)
	}
	return prv1.Encode(docs)
}

//go:wasmexport helm_plugin_main
func helmPluginMain() uint32 { return prv1.Run(fetch) }

func main() {}
