package httpq

//go:generate go run tables_gen.go

// Byte classes in the class table (tables.go, made by tables_gen.go, whose
// constants must match these; TestTables checks).
const (
	classToken  = 1 << 0 // tchar, RFC 9110 §5.6.2: methods and field names
	classValue  = 1 << 1 // field-vchar / SP / HTAB / obs-text, RFC 9110 §5.5
	classTarget = 1 << 2 // allowed in a request-target: any byte but CTLs, SP, DEL
)
