//! Answers written in bursts. A connection's first write after it has read a request gives the
//! rest of the worker's ready connections their turn first: the answers of one round of
//! verifications then leave back to back, instead of one every verification. A client asleep
//! in `epoll_wait` is woken once by the first answer of a burst, not once per answer; each
//! such wake-up costs the server the cross-CPU interrupt (or, on a CPU shared with the
//! client, being preempted by it), a fifth of a raw verification on a virtual machine.
//!
//! Nothing waits on a timer: the connection is polled again as soon as the worker has polled
//! what was already ready, so an answer is late by at most one round of the other ready
//! connections' work, and a lone connection by one scheduler hop.

use core::pin::Pin;
use core::task::{Context, Poll};
use std::io::IoSlice;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// An I/O stream whose first write after each read yields to the worker's other ready tasks.
#[derive(Debug)]
pub struct Burst<T> {
    inner: T,
    /// Bytes were read since the last write: the next write starts an answer.
    answer_pending: bool,
    /// The task has yielded once for this answer.
    yielded: bool,
}

impl<T> Burst<T> {
    /// Wraps `inner`.
    pub const fn new(inner: T) -> Self {
        Burst { inner, answer_pending: false, yielded: false }
    }

    /// `Pending` (the task woken again behind the others already ready) once per answer.
    fn take_turn(&mut self, cx: &Context<'_>) -> Poll<()> {
        if self.answer_pending && !self.yielded {
            self.yielded = true;
            // Behind every task already in the worker's run queue, before the next poll of
            // the sockets (a deferred wake would come after it, and after the new requests).
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        Poll::Ready(())
    }

    /// A write went through: the answer has started.
    const fn wrote(&mut self) {
        self.answer_pending = false;
        self.yielded = false;
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for Burst<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        if matches!(polled, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.answer_pending = true;
        }
        polled
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Burst<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        core::task::ready!(self.take_turn(cx));
        let written = Pin::new(&mut self.inner).poll_write(cx, buf);
        if written.is_ready() {
            self.wrote();
        }
        written
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        core::task::ready!(self.take_turn(cx));
        let written = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        if written.is_ready() {
            self.wrote();
        }
        written
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

    #[tokio::test(flavor = "current_thread")]
    async fn every_byte_arrives_and_an_answer_waits_for_the_other_ready_tasks() {
        let (client, server) = tokio::io::duplex(1024);
        let mut server = Burst::new(server);
        let (mut client_read, mut client_write) = tokio::io::split(client);
        client_write.write_all(b"request").await.unwrap_or_default();
        let mut request = [0u8; 7];
        server.read_exact(&mut request).await.unwrap_or_default();
        assert_eq!(&request, b"request");
        // A task already ready runs before the answer's first write goes out.
        let order = std::rc::Rc::new(core::cell::RefCell::new(Vec::new()));
        let other = tokio::task::LocalSet::new();
        let seen = std::rc::Rc::clone(&order);
        other.spawn_local(async move { seen.borrow_mut().push("other") });
        let seen = std::rc::Rc::clone(&order);
        other
            .run_until(async move {
                server.write_all(b"answer").await.unwrap_or_default();
                seen.borrow_mut().push("answer");
                // A second write of the same answer does not yield again.
                server.write_all(b"!").await.unwrap_or_default();
            })
            .await;
        assert_eq!(*order.borrow(), ["other", "answer"]);
        let mut answer = [0u8; 7];
        client_read.read_exact(&mut answer).await.unwrap_or_default();
        assert_eq!(&answer, b"answer!");
    }
}
