package output

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/itchyny/gojq"
)

// runJQ runs code on input and writes each result on its own line: strings
// raw, everything else as compact JSON (like gh --jq).
func runJQ(ctx context.Context, w io.Writer, code *gojq.Code, input any) error {
	bw := bufio.NewWriter(w)
	iter := code.RunWithContext(ctx, input)
	for {
		v, ok := iter.Next()
		if !ok {
			break
		}
		if err, isErr := v.(error); isErr {
			var halt *gojq.HaltError
			if errors.As(err, &halt) && halt.Value() == nil {
				break
			}
			_ = bw.Flush()
			return fmt.Errorf("jq: %w", err)
		}
		if s, isStr := v.(string); isStr {
			_, _ = bw.WriteString(s)
		} else {
			b, err := gojq.Marshal(v)
			if err != nil {
				_ = bw.Flush()
				return fmt.Errorf("jq: %w", err)
			}
			_, _ = bw.Write(b)
		}
		if err := bw.WriteByte('\n'); err != nil {
			return err
		}
	}
	return bw.Flush()
}
