package bencode

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
)

// encodeCanonical is a test-only generic encoder for Decode's value types
// (int64, string, []any, map[string]any), with dict keys sorted as raw
// bytes (Go compares strings bytewise). The package itself never has one
// (STYLE §4): it is the reference the fuzz targets compare against.
func encodeCanonical(dst []byte, v any) []byte {
	switch v := v.(type) {
	case int64:
		dst = strconv.AppendInt(append(dst, 'i'), v, 10)
		return append(dst, 'e')
	case string:
		dst = strconv.AppendInt(dst, int64(len(v)), 10)
		return append(append(dst, ':'), v...)
	case []any:
		dst = append(dst, 'l')
		for _, e := range v {
			dst = encodeCanonical(dst, e)
		}
		return append(dst, 'e')
	case map[string]any:
		dst = append(dst, 'd')
		for _, k := range slices.Sorted(maps.Keys(v)) {
			dst = encodeCanonical(dst, k)
			dst = encodeCanonical(dst, v[k])
		}
		return append(dst, 'e')
	default:
		panic(fmt.Sprintf("encodeCanonical: unsupported type %T", v))
	}
}
