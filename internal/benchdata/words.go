package benchdata

import "math/rand/v2"

// codeWords and dataWords are fixed vocabularies: keywords plus made-up
// identifiers drawn from a fixed seed.
var (
	codeWords = vocabulary(1, 3000, []string{
		"func", "return", "if", "else", "for", "range", "const", "var", "type", "struct",
		"import", "package", "{", "}", "(", ")", "=", ":=", "==", "!=", "nil", "err",
		"export", "default", "function", "class", "def", "self", "None", "true", "false",
	})
	dataWords = vocabulary(2, 5000, []string{`"id":`, `"name":`, `"value":`, `"items":`, "[", "]", "{", "},", "null", "0", "1"})
)

func vocabulary(seed uint64, n int, base []string) []string {
	rng := rand.New(rand.NewPCG(seed, 7))
	words := append([]string(nil), base...)
	const letters = "abcdefghijklmnopqrstuvwxyz_ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	for len(words) < n {
		b := make([]byte, 2+rng.IntN(10))
		for i := range b {
			if i == 0 {
				b[i] = letters[rng.IntN(26)]
			} else {
				b[i] = letters[rng.IntN(len(letters))]
			}
		}
		words = append(words, string(b))
	}
	// Keywords are frequent: repeat them so they make up about a third of draws.
	for i := 0; i < 40; i++ {
		words = append(words, base...)
	}
	return words
}
