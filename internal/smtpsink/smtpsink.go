// Package smtpsink is a tiny SMTP server for tests. It listens on
// 127.0.0.1 (a random port), accepts every message and keeps it in memory.
//
// It speaks enough ESMTP for net/smtp: EHLO/HELO (advertising AUTH PLAIN and
// 8BITMIME, never STARTTLS), AUTH PLAIN (any password is accepted; only the
// username is recorded, the password is never stored), MAIL, RCPT, DATA,
// RSET, NOOP and QUIT.
package smtpsink

import (
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"strings"
	"sync"
	"time"
)

// Message is one accepted message.
type Message struct {
	// From is the MAIL FROM reverse path (without angle brackets).
	From string
	// To lists the RCPT TO forward paths (without angle brackets).
	To []string
	// Data is the message content (headers and body) after dot-unstuffing,
	// with "\n" line endings.
	Data string
	// Username is the AUTH PLAIN authentication identity of the session, or
	// "" when the client did not authenticate. The password is never kept.
	Username string
}

// idleTimeout bounds how long a connection may sit without sending a line.
const idleTimeout = 30 * time.Second

// Sink is a running SMTP sink. It is safe for concurrent use.
type Sink struct {
	ln net.Listener

	mu       sync.Mutex
	msgs     []Message
	changed  chan struct{} // closed and replaced whenever msgs grows
	conns    map[net.Conn]struct{}
	closed   bool
	wg       sync.WaitGroup
	closeErr error
	once     sync.Once
}

// Start listens on 127.0.0.1:0 and serves until Close.
func Start() (*Sink, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("smtpsink: listen: %w", err)
	}
	s := &Sink{ln: ln, changed: make(chan struct{}), conns: map[net.Conn]struct{}{}}
	s.wg.Add(1)
	go s.serve()
	return s, nil
}

// Addr is the listening address, host:port.
func (s *Sink) Addr() string { return s.ln.Addr().String() }

// Host is the listening IP address (127.0.0.1).
func (s *Sink) Host() string {
	h, _, _ := net.SplitHostPort(s.Addr())
	return h
}

// Port is the listening port.
func (s *Sink) Port() int { return s.ln.Addr().(*net.TCPAddr).Port }

// Messages returns a copy of the messages received so far, oldest first.
func (s *Sink) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.copyLocked()
}

func (s *Sink) copyLocked() []Message {
	out := make([]Message, len(s.msgs))
	for i, m := range s.msgs {
		m.To = append([]string(nil), m.To...)
		out[i] = m
	}
	return out
}

// WaitFor waits until at least n messages have arrived and returns them all.
// On timeout it returns what has arrived and an error.
func (s *Sink) WaitFor(n int, timeout time.Duration) ([]Message, error) {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		if len(s.msgs) >= n {
			out := s.copyLocked()
			s.mu.Unlock()
			return out, nil
		}
		ch := s.changed
		s.mu.Unlock()
		select {
		case <-ch:
		case <-deadline.C:
			got := s.Messages()
			return got, fmt.Errorf("smtpsink: %d message(s) after %s, want %d", len(got), timeout, n)
		}
	}
}

// Close stops the listener, closes open connections and waits for their
// handlers to finish.
func (s *Sink) Close() error {
	s.once.Do(func() {
		s.mu.Lock()
		s.closed = true
		for c := range s.conns {
			c.Close()
		}
		s.mu.Unlock()
		s.closeErr = s.ln.Close()
		s.wg.Wait()
	})
	return s.closeErr
}

func (s *Sink) serve() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			return
		}
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			c.Close()
			return
		}
		s.conns[c] = struct{}{}
		s.wg.Add(1)
		s.mu.Unlock()
		go func() {
			defer s.wg.Done()
			defer func() {
				s.mu.Lock()
				delete(s.conns, c)
				s.mu.Unlock()
				c.Close()
			}()
			s.handle(c)
		}()
	}
}

func (s *Sink) deliver(m Message) {
	s.mu.Lock()
	s.msgs = append(s.msgs, m)
	close(s.changed)
	s.changed = make(chan struct{})
	s.mu.Unlock()
}

// session is the state of one SMTP connection.
type session struct {
	tp       *textproto.Conn
	conn     net.Conn
	greeted  bool
	username string
	from     string
	hasFrom  bool
	to       []string
}

func (ss *session) reply(code int, lines ...string) error {
	ss.conn.SetWriteDeadline(time.Now().Add(idleTimeout))
	for i, l := range lines {
		sep := " "
		if i < len(lines)-1 {
			sep = "-"
		}
		if err := ss.tp.PrintfLine("%d%s%s", code, sep, l); err != nil {
			return err
		}
	}
	return nil
}

func (ss *session) readLine() (string, error) {
	ss.conn.SetReadDeadline(time.Now().Add(idleTimeout))
	return ss.tp.ReadLine()
}

func (ss *session) resetTx() {
	ss.from, ss.hasFrom, ss.to = "", false, nil
}

func (s *Sink) handle(c net.Conn) {
	ss := &session{tp: textproto.NewConn(c), conn: c}
	if ss.reply(220, "smtpsink ESMTP ready") != nil {
		return
	}
	for {
		line, err := ss.readLine()
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		arg = strings.TrimSpace(arg)
		switch strings.ToUpper(verb) {
		case "EHLO":
			ss.greeted = true
			ss.resetTx()
			err = ss.reply(250, "smtpsink greets "+arg, "8BITMIME", "AUTH PLAIN")
		case "HELO":
			ss.greeted = true
			ss.resetTx()
			err = ss.reply(250, "smtpsink greets "+arg)
		case "AUTH":
			err = s.auth(ss, arg)
		case "MAIL":
			addr, ok := pathArg(arg, "FROM:")
			switch {
			case !ss.greeted:
				err = ss.reply(503, "5.5.1 send EHLO first")
			case !ok:
				err = ss.reply(501, "5.5.4 syntax: MAIL FROM:<address>")
			case ss.hasFrom:
				err = ss.reply(503, "5.5.1 nested MAIL command")
			default:
				ss.from, ss.hasFrom, ss.to = addr, true, nil
				err = ss.reply(250, "2.1.0 ok")
			}
		case "RCPT":
			addr, ok := pathArg(arg, "TO:")
			switch {
			case !ss.hasFrom:
				err = ss.reply(503, "5.5.1 need MAIL first")
			case !ok || addr == "":
				err = ss.reply(501, "5.5.4 syntax: RCPT TO:<address>")
			default:
				ss.to = append(ss.to, addr)
				err = ss.reply(250, "2.1.5 ok")
			}
		case "DATA":
			if !ss.hasFrom || len(ss.to) == 0 {
				err = ss.reply(503, "5.5.1 need MAIL and RCPT first")
				break
			}
			if err = ss.reply(354, "end data with <CR><LF>.<CR><LF>"); err != nil {
				break
			}
			ss.conn.SetReadDeadline(time.Now().Add(idleTimeout))
			data, rerr := io.ReadAll(ss.tp.DotReader())
			if rerr != nil {
				return
			}
			s.deliver(Message{From: ss.from, To: ss.to, Data: string(data), Username: ss.username})
			ss.resetTx()
			err = ss.reply(250, "2.0.0 ok: queued")
		case "RSET":
			ss.resetTx()
			err = ss.reply(250, "2.0.0 ok")
		case "NOOP":
			err = ss.reply(250, "2.0.0 ok")
		case "VRFY":
			err = ss.reply(252, "2.5.0 cannot verify")
		case "STARTTLS":
			err = ss.reply(454, "4.7.0 TLS not available")
		case "QUIT":
			ss.reply(221, "2.0.0 bye")
			return
		default:
			err = ss.reply(500, "5.5.2 command not recognized")
		}
		if err != nil {
			return
		}
	}
}

// auth handles AUTH PLAIN [initial-response]. The password is decoded only
// to be discarded.
func (s *Sink) auth(ss *session, arg string) error {
	mech, resp, _ := strings.Cut(arg, " ")
	if !strings.EqualFold(mech, "PLAIN") {
		return ss.reply(504, "5.5.4 only AUTH PLAIN is supported")
	}
	if !ss.greeted {
		return ss.reply(503, "5.5.1 send EHLO first")
	}
	if ss.username != "" {
		return ss.reply(503, "5.5.1 already authenticated")
	}
	resp = strings.TrimSpace(resp)
	if resp == "" {
		if err := ss.reply(334, ""); err != nil {
			return err
		}
		line, err := ss.readLine()
		if err != nil {
			return err
		}
		resp = strings.TrimSpace(line)
	}
	if resp == "*" {
		return ss.reply(501, "5.0.0 authentication cancelled")
	}
	raw, err := base64.StdEncoding.DecodeString(resp)
	if err != nil {
		return ss.reply(501, "5.5.2 invalid base64")
	}
	parts := strings.SplitN(string(raw), "\x00", 3)
	for i := range raw {
		raw[i] = 0
	}
	if len(parts) != 3 || parts[1] == "" {
		return ss.reply(535, "5.7.8 malformed PLAIN response")
	}
	ss.username = parts[1]
	return ss.reply(235, "2.7.0 authentication successful")
}

// pathArg parses "FROM:<addr> [params]" (prefix is "FROM:" or "TO:").
func pathArg(arg, prefix string) (string, bool) {
	if len(arg) < len(prefix) || !strings.EqualFold(arg[:len(prefix)], prefix) {
		return "", false
	}
	rest := strings.TrimSpace(arg[len(prefix):])
	if !strings.HasPrefix(rest, "<") {
		return "", false
	}
	end := strings.IndexByte(rest, '>')
	if end < 0 {
		return "", false
	}
	return rest[1:end], true
}
