package smtpsink

import (
	"net"
	"net/smtp"
	"net/textproto"
	"strings"
	"testing"
	"time"
)

func start(t *testing.T) *Sink {
	t.Helper()
	s, err := Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if !strings.HasPrefix(s.Addr(), "127.0.0.1:") || s.Port() == 0 || s.Host() != "127.0.0.1" {
		t.Fatalf("addr %s host %s port %d", s.Addr(), s.Host(), s.Port())
	}
	return s
}

func TestSendMailWithAuth(t *testing.T) {
	s := start(t)
	const password = "sink-test-password-9f3c"
	msg := "From: a@example.test\r\nTo: b@example.test\r\nSubject: hi\r\n\r\nhello\r\n.leading dot\r\n"
	err := smtp.SendMail(s.Addr(), smtp.PlainAuth("", "mailer", password, "127.0.0.1"), "a@example.test",
		[]string{"b@example.test", "c@example.test"}, []byte(msg))
	if err != nil {
		t.Fatalf("SendMail: %v", err)
	}
	msgs, err := s.WaitFor(1, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 1 {
		t.Fatalf("%d messages", len(msgs))
	}
	m := msgs[0]
	if m.From != "a@example.test" || strings.Join(m.To, ",") != "b@example.test,c@example.test" || m.Username != "mailer" {
		t.Errorf("envelope %+v", m)
	}
	if !strings.Contains(m.Data, "Subject: hi\n") || !strings.Contains(m.Data, "\nhello\n.leading dot\n") {
		t.Errorf("data %q", m.Data)
	}
	if strings.Contains(m.Data+m.From+m.Username+strings.Join(m.To, ""), password) {
		t.Error("password stored in the message")
	}
	// Messages returns copies.
	got := s.Messages()
	got[0].To[0] = "changed"
	if s.Messages()[0].To[0] != "b@example.test" {
		t.Error("Messages shares slices with the sink")
	}
}

func TestWithoutAuthAndCommands(t *testing.T) {
	s := start(t)
	c, err := net.Dial("tcp", s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	tp := textproto.NewConn(c)
	expect := func(code int) string {
		t.Helper()
		_, msg, err := tp.ReadResponse(code)
		if err != nil {
			t.Fatalf("want %d: %v", code, err)
		}
		return msg
	}
	send := func(line string, code int) string {
		t.Helper()
		if err := tp.PrintfLine("%s", line); err != nil {
			t.Fatal(err)
		}
		return expect(code)
	}
	expect(220)
	send("MAIL FROM:<x@example.test>", 503) // before EHLO
	ehlo := send("EHLO client.test", 250)
	if !strings.Contains(ehlo, "AUTH PLAIN") || strings.Contains(ehlo, "STARTTLS") {
		t.Errorf("EHLO reply %q", ehlo)
	}
	send("NOOP", 250)
	send("RCPT TO:<y@example.test>", 503) // before MAIL
	send("MAIL FROM:<dropped@example.test> BODY=8BITMIME", 250)
	send("RCPT TO:<dropped@example.test>", 250)
	send("RSET", 250)
	send("DATA", 503) // the transaction was reset
	send("AUTH LOGIN", 504)
	send("STARTTLS", 454)
	send("MAIL FROM:<>", 250) // null reverse path
	send("RCPT TO:<kept@example.test>", 250)
	send("DATA", 354)
	if err := tp.PrintfLine("Subject: raw\r\n\r\n..dotted\r\n."); err != nil {
		t.Fatal(err)
	}
	expect(250)
	send("BOGUS", 500)
	send("QUIT", 221)
	msgs, err := s.WaitFor(1, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	m := msgs[0]
	if m.From != "" || len(m.To) != 1 || m.To[0] != "kept@example.test" || m.Username != "" || m.Data != "Subject: raw\n\n.dotted\n" {
		t.Errorf("message %+v", m)
	}
}

func TestAuthPlainChallenge(t *testing.T) {
	s := start(t)
	c, err := net.Dial("tcp", s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	tp := textproto.NewConn(c)
	tp.ReadResponse(220)
	tp.PrintfLine("EHLO x")
	tp.ReadResponse(250)
	tp.PrintfLine("AUTH PLAIN")
	if _, _, err := tp.ReadResponse(334); err != nil {
		t.Fatal(err)
	}
	tp.PrintfLine("not base64!")
	if _, _, err := tp.ReadResponse(501); err != nil {
		t.Fatal(err)
	}
	tp.PrintfLine("AUTH PLAIN AHVzZXIAcGFzcw==") // \0user\0pass
	if _, _, err := tp.ReadResponse(235); err != nil {
		t.Fatal(err)
	}
}

func TestWaitForTimeoutAndClose(t *testing.T) {
	s := start(t)
	start := time.Now()
	msgs, err := s.WaitFor(1, 100*time.Millisecond)
	if err == nil || len(msgs) != 0 || time.Since(start) < 100*time.Millisecond {
		t.Fatalf("WaitFor: %v %d", err, len(msgs))
	}
	// A connection left open does not block Close.
	c, err := net.Dial("tcp", s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	done := make(chan struct{})
	go func() { s.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close hangs with an open connection")
	}
	if _, err := net.DialTimeout("tcp", s.Addr(), time.Second); err == nil {
		t.Error("still listening after Close")
	}
}
