package doctest

import "testing"

func TestYAMLDocuments(t *testing.T) {
	docs, err := YAMLDocuments("spec:\n  inputs: {}\n---\njob:\n  script: [echo]\n")
	if err != nil || len(docs) != 2 || docs[0]["spec"] == nil || docs[1]["job"] == nil {
		t.Errorf("two documents: %v, %v", docs, err)
	}
	if _, err := YAMLDocuments("a: 1\n---\nb: [\n"); err == nil {
		t.Error("a document that does not parse: no error")
	}
}
