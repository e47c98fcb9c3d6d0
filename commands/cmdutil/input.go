package cmdutil

import (
	"bufio"
	"io"
	"os"
	"strings"
)

// ReadIDs collects ids from args and, when fromFile is set, from that file ("-" = stdin): one
// per line, blank lines and lines starting with # ignored, duplicates removed in order.
func ReadIDs(args []string, fromFile string, stdin io.Reader) ([]string, error) {
	ids := append([]string(nil), args...)
	if fromFile != "" {
		var r io.Reader
		if fromFile == "-" {
			r = stdin
		} else {
			fh, err := os.Open(fromFile)
			if err != nil {
				return nil, FlagErrorf("--from-file: %v", err)
			}
			defer fh.Close()
			r = fh
		}
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line := strings.TrimSpace(sc.Text())
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			ids = append(ids, line)
		}
		if err := sc.Err(); err != nil {
			return nil, FlagErrorf("--from-file: %v", err)
		}
	}
	seen := make(map[string]bool, len(ids))
	out := ids[:0]
	for _, id := range ids {
		id = strings.TrimSpace(id)
		if id == "" || seen[id] {
			continue
		}
		seen[id] = true
		out = append(out, id)
	}
	return out, nil
}

// ReadSecret reads one secret from r (stdin): the first line, without its line ending.
func ReadSecret(r io.Reader, what string) (string, error) {
	b, err := io.ReadAll(io.LimitReader(r, 1<<16))
	if err != nil {
		return "", FlagErrorf("reading %s from stdin: %v", what, err)
	}
	s := string(b)
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	if s == "" {
		return "", FlagErrorf("no %s on stdin", what)
	}
	return s, nil
}
