// Package access parses access lists: the info hashes a tracker serves
// (allow mode) or refuses (deny mode).
//
// Format: one info hash per line as 40 hexadecimal digits, either case.
// Blank lines are skipped; "#" starts a comment, on a line of its own or
// after the hash. Leading and trailing spaces and tabs, CRLF line ends and
// a UTF-8 byte order mark are accepted. Anything else is an error naming
// the line.
//
// Memory: Parse keeps no reference to its input. A List is immutable once
// built.
//
// Concurrency: a List is safe for concurrent use; Contains does not
// allocate and takes no lock.
package access
