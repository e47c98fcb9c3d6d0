package apiclient

import (
	"encoding/json"

	"github.com/kernia-dev/kernia-admin/internal/redact"
)

// learnSecrets registers with the scrubber every string found under a secret key in a JSON
// body, so that the same value elsewhere in free text (Kernia's register-domain instructions
// repeat the token) is scrubbed from traces and errors too. Non-JSON bodies are ignored.
func (c *Client) learnSecrets(body []byte) {
	if len(body) == 0 || (body[0] != '{' && body[0] != '[') {
		return
	}
	var v any
	if json.Unmarshal(body, &v) != nil {
		return
	}
	var walk func(v any, secret bool)
	walk = func(v any, secret bool) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				walk(e, redact.IsSecretKey(k)) // only values directly under a secret key
			}
		case []any:
			for _, e := range x {
				walk(e, false)
			}
		case string:
			if secret {
				c.scrubber.Add(x)
			}
		}
	}
	walk(v, false)
}
