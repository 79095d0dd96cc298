package bencode

// AppendFailure appends a failure response (BEP 3 "failure reason"):
//
//	d14:failure reason<len>:<reason>[8:retry ini<minutes>e]e
//
// with BEP 31 "retry in" when retryInSec > 0. BEP 31 counts minutes, so
// retryInSec is rounded up to whole minutes (a client never comes back
// earlier than asked; 1..60 s is 1 minute). Trackers send failures with
// HTTP status 200 so that every client shows the reason. It does not
// allocate when dst has the capacity.
func AppendFailure(dst []byte, reason string, retryInSec int64) []byte {
	dst = append(dst, "d14:failure reason"...)
	dst = AppendStringS(dst, reason)
	if retryInSec > 0 {
		minutes := retryInSec / 60
		if retryInSec%60 != 0 {
			minutes++
		}
		dst = append(dst, "8:retry in"...)
		dst = AppendInt(dst, minutes)
	}
	return append(dst, 'e')
}
