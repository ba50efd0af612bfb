// Test plugins for Capstan's WebAssembly post-renderer host (src/plugins).
// Built by scripts/build-test-plugins.sh with GOOS=wasip1 GOARCH=wasm -buildmode=c-shared.
module capstan.dev/testplugins

go 1.24

require (
	github.com/extism/go-pdk v1.1.3
	gopkg.in/yaml.v3 v3.0.1
)
