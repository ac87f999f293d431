//! The answer to one request, awaited by the page: a future resolved when the worker's final answer with
//! the request's id arrives (progress messages do not resolve it).

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::{Rc, Weak};
use std::task::{Context, Poll, Waker};

use crate::protocol::Response;

/// Where an answer lands, and who to wake when it does.
#[derive(Debug, Default)]
pub struct Slot {
    response: Option<Response>,
    waker: Option<Waker>,
}

/// The worker's answer to one request. Dropping it is fine: the answer still updates the page's signals.
#[derive(Debug)]
pub struct Reply(Rc<RefCell<Slot>>);

/// The resolving end of a [`Reply`], kept by the client under the request's id. Weak: an answer nobody
/// awaits any more is not copied.
pub type Waiter = Weak<RefCell<Slot>>;

impl Reply {
    /// A reply still to come, and its resolving end.
    pub fn pending() -> (Self, Waiter) {
        let slot = Rc::new(RefCell::new(Slot::default()));
        let waiter = Rc::downgrade(&slot);
        (Reply(slot), waiter)
    }

    /// A reply that is already known (the request could not be sent).
    pub fn ready(response: Response) -> Self {
        Reply(Rc::new(RefCell::new(Slot {
            response: Some(response),
            waker: None,
        })))
    }
}

/// Whether someone still awaits this answer.
pub fn is_awaited(waiter: &Waiter) -> bool {
    waiter.strong_count() > 0
}

/// Hands `response` to the reply (if it is still awaited) and wakes its task.
pub fn resolve(waiter: &Waiter, response: Response) {
    if let Some(slot) = waiter.upgrade() {
        let waker = {
            let mut slot = slot.borrow_mut();
            slot.response = Some(response);
            slot.waker.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

impl Future for Reply {
    type Output = Response;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Response> {
        let mut slot = self.0.borrow_mut();
        match slot.response.take() {
            Some(response) => Poll::Ready(response),
            None => {
                slot.waker = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{Failure, FailureKind};
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    use std::task::Wake;

    struct CountWakes(AtomicUsize);
    impl Wake for CountWakes {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    #[test]
    fn a_reply_waits_until_its_answer_is_resolved_then_wakes_its_task_once() {
        let wakes = Arc::new(CountWakes(AtomicUsize::new(0)));
        let waker = Waker::from(wakes.clone());
        let mut cx = Context::from_waker(&waker);
        let (mut reply, waiter) = Reply::pending();
        assert!(Pin::new(&mut reply).poll(&mut cx).is_pending());
        assert!(is_awaited(&waiter));
        resolve(&waiter, Response::Ready);
        assert_eq!(wakes.0.load(Ordering::SeqCst), 1);
        assert_eq!(
            Pin::new(&mut reply).poll(&mut cx),
            Poll::Ready(Response::Ready)
        );
    }

    #[test]
    fn an_answer_nobody_awaits_is_dropped_and_a_ready_reply_needs_no_worker() {
        let (reply, waiter) = Reply::pending();
        drop(reply);
        assert!(!is_awaited(&waiter));
        resolve(&waiter, Response::Ready); // no panic, nothing kept
        let failed = Response::Failed(Failure::new(FailureKind::Browser, "not running"));
        let mut ready = Reply::ready(failed.clone());
        let mut cx = Context::from_waker(Waker::noop());
        assert_eq!(Pin::new(&mut ready).poll(&mut cx), Poll::Ready(failed));
    }
}
