package bencode

// Error is a decoding error: the input is not strict, canonical bencode.
// Values are the package-level sentinels below; they are immutable and safe
// for concurrent use. Decode wraps them with an offset, so compare with
// errors.Is.
type Error struct {
	msg string
}

// Error returns the message, for example "bencode: bad integer".
func (e *Error) Error() string { return e.msg }

// Sentinels returned (wrapped) by Decode.
var (
	// ErrUnexpectedEOF means the input ends inside a value, or a string's
	// length is larger than what is left of the input.
	ErrUnexpectedEOF error = &Error{msg: "bencode: unexpected end of input"}

	// ErrTrailingData means bytes follow the first complete value.
	ErrTrailingData error = &Error{msg: "bencode: trailing data"}

	// ErrInvalidValue means a byte that starts no value (not 'i', 'l', 'd'
	// or a digit) where a value is expected, such as a stray 'e' or the end
	// of a dict right after a key.
	ErrInvalidValue error = &Error{msg: "bencode: invalid value"}

	// ErrBadInt means an integer that is empty ("ie", "i-e"), not decimal,
	// not canonical (a leading zero, "-0") or outside int64 (BEP 3:
	// "i-0e is invalid", leading zeros are invalid).
	ErrBadInt error = &Error{msg: "bencode: bad integer"}

	// ErrBadLength means a string length with a leading zero or not
	// followed by ':'.
	ErrBadLength error = &Error{msg: "bencode: bad string length"}

	// ErrKeyNotString means a dict key that is not a string (BEP 3: "keys
	// must be strings").
	ErrKeyNotString error = &Error{msg: "bencode: dict key is not a string"}

	// ErrKeyOrder means dict keys that are not in ascending raw byte order
	// (BEP 3: "keys must be strings and appear in sorted order").
	ErrKeyOrder error = &Error{msg: "bencode: dict keys out of order"}

	// ErrDuplicateKey means a dict key that equals the previous key.
	ErrDuplicateKey error = &Error{msg: "bencode: duplicate dict key"}

	// ErrTooDeep means lists and dicts nested more than MaxDepth deep.
	ErrTooDeep error = &Error{msg: "bencode: nesting too deep"}
)
