/**
 * yaml: the one place chart code reads YAML into Go values and writes it back, through the
 * shared goyaml (sigs.k8s.io/yaml semantics: YAML 1.1, numbers float64, Helm's error texts).
 */
export { parseYaml, parseYamlDocuments, marshalYaml, toYaml, YAMLError as YamlError } from '../gotemplate/funcs/helm/goyaml.js';
