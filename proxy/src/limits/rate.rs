//! Per-client token buckets.
//!
//! Each client starts with `burst` tokens; a request takes one; tokens refill continuously at
//! `rate_per_minute / 60` per second up to `burst`. An empty bucket refuses the request and says
//! how many whole seconds until a token is back (the `retry-after` value).
//!
//! So that a client hammering the relay cannot flood the audit log, only the first refusal of a
//! run is marked for logging ([`Refused::first`]); the others are counted and reported with the
//! client's next granted request ([`Granted::unlogged_refusals`]).
//!
//! ```
//! use std::time::{Duration, Instant};
//! use audience_proxy::limits::rate::{Granted, RateLimiter, Refused};
//!
//! let limiter = RateLimiter::new(60, 2); // one per second, two at once
//! let t0 = Instant::now();
//! let ip = "10.0.0.1".parse().unwrap();
//! assert!(limiter.check_at(ip, t0).is_ok());
//! assert!(limiter.check_at(ip, t0).is_ok());
//! assert_eq!(limiter.check_at(ip, t0), Err(Refused { retry_after_secs: 1, first: true }));
//! assert_eq!(limiter.check_at(ip, t0), Err(Refused { retry_after_secs: 1, first: false }));
//! let later = t0 + Duration::from_secs(1);
//! assert_eq!(limiter.check_at(ip, later), Ok(Granted { unlogged_refusals: 1 }));
//! ```

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::Instant;

use axum::http::HeaderMap;

/// Buckets kept before idle (full) ones are dropped.
const PRUNE_ABOVE: usize = 10_000;

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    last: Instant,
    /// The last request was refused.
    refusing: bool,
    /// Refusals after the first of their run, since the last granted request.
    unlogged: u64,
}

/// A request the limiter let through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Granted {
    /// Refusals of this client that were not marked for logging since its last granted request.
    pub unlogged_refusals: u64,
}

/// A request the limiter refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refused {
    /// Whole seconds until a token is back (the `retry-after` value).
    pub retry_after_secs: u64,
    /// The first refusal since the client's last granted request: the one worth logging.
    pub first: bool,
}

/// Token buckets keyed by client address.
#[derive(Debug)]
pub struct RateLimiter {
    per_second: f64,
    burst: f64,
    buckets: Mutex<HashMap<IpAddr, Bucket>>,
}

impl RateLimiter {
    /// A limiter refilling `rate_per_minute` tokens per minute into buckets of `burst`.
    /// Zero values are treated as one (the config refuses them anyway).
    pub fn new(rate_per_minute: u32, burst: u32) -> Self {
        Self {
            per_second: f64::from(rate_per_minute.max(1)) / 60.0,
            burst: f64::from(burst.max(1)),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes a token for `client` now; a refusal says when to retry.
    pub fn check(&self, client: IpAddr) -> Result<Granted, Refused> {
        self.check_at(client, Instant::now())
    }

    /// [`check`](Self::check) at a given instant (for tests and simulations).
    pub fn check_at(&self, client: IpAddr, now: Instant) -> Result<Granted, Refused> {
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if buckets.len() > PRUNE_ABOVE {
            let (per_second, burst) = (self.per_second, self.burst);
            buckets.retain(|_, b| refilled(*b, now, per_second, burst) < burst);
        }
        let bucket = buckets.entry(client).or_insert(Bucket {
            tokens: self.burst,
            last: now,
            refusing: false,
            unlogged: 0,
        });
        bucket.tokens = refilled(*bucket, now, self.per_second, self.burst);
        bucket.last = now.max(bucket.last);
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            bucket.refusing = false;
            Ok(Granted {
                unlogged_refusals: std::mem::take(&mut bucket.unlogged),
            })
        } else {
            let wait = (1.0 - bucket.tokens) / self.per_second;
            let first = !bucket.refusing;
            if !first {
                bucket.unlogged += 1;
            }
            bucket.refusing = true;
            Err(Refused {
                retry_after_secs: (wait.ceil() as u64).max(1),
                first,
            })
        }
    }
}

fn refilled(b: Bucket, now: Instant, per_second: f64, burst: f64) -> f64 {
    let elapsed = now.saturating_duration_since(b.last).as_secs_f64();
    (b.tokens + elapsed * per_second).min(burst)
}

/// The address a client is limited by: the socket peer, or — only when `trust_forwarded_for`
/// is set — the last address of `X-Forwarded-For` (the one the trusted proxy appended; earlier
/// entries are client-supplied and could be forged). Falls back to the peer when the header is
/// absent or unparsable.
pub fn client_key(peer: SocketAddr, headers: &HeaderMap, trust_forwarded_for: bool) -> IpAddr {
    if trust_forwarded_for {
        let last = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .next_back()
            .and_then(|s| s.trim().parse::<IpAddr>().ok());
        if let Some(ip) = last {
            return ip;
        }
    }
    peer.ip()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn burst_requests_pass_then_the_next_is_refused_with_the_refill_time() {
        // 6 per minute = one token every 10 s.
        let l = RateLimiter::new(6, 3);
        let t0 = Instant::now();
        let retry = |r: Result<Granted, Refused>| r.map(|_| ()).map_err(|r| r.retry_after_secs);
        for _ in 0..3 {
            assert_eq!(retry(l.check_at(ip("1.1.1.1"), t0)), Ok(()));
        }
        assert_eq!(retry(l.check_at(ip("1.1.1.1"), t0)), Err(10));
        assert_eq!(
            retry(l.check_at(ip("1.1.1.1"), t0 + Duration::from_secs(4))),
            Err(6)
        );
        assert_eq!(
            retry(l.check_at(ip("1.1.1.1"), t0 + Duration::from_secs(10))),
            Ok(())
        );
        assert_eq!(
            retry(l.check_at(ip("1.1.1.1"), t0 + Duration::from_secs(10))),
            Err(10)
        );
    }

    #[test]
    fn clients_have_separate_buckets() {
        let l = RateLimiter::new(1, 1);
        let t0 = Instant::now();
        assert!(l.check_at(ip("1.1.1.1"), t0).is_ok());
        assert!(l.check_at(ip("1.1.1.1"), t0).is_err());
        assert!(l.check_at(ip("2.2.2.2"), t0).is_ok());
    }

    #[test]
    fn refill_never_exceeds_the_burst() {
        let l = RateLimiter::new(60, 2);
        let t0 = Instant::now();
        assert!(l.check_at(ip("::1"), t0).is_ok());
        let later = t0 + Duration::from_secs(3600);
        assert!(l.check_at(ip("::1"), later).is_ok());
        assert!(l.check_at(ip("::1"), later).is_ok());
        assert_eq!(
            l.check_at(ip("::1"), later).map_err(|r| r.retry_after_secs),
            Err(1)
        );
    }

    #[test]
    fn only_the_first_refusal_of_a_run_is_marked_for_logging_and_the_rest_are_counted() {
        let l = RateLimiter::new(60, 1);
        let t0 = Instant::now();
        let client = ip("1.1.1.1");
        assert_eq!(
            l.check_at(client, t0),
            Ok(Granted {
                unlogged_refusals: 0
            })
        );
        let firsts: Vec<bool> = (0..5)
            .map(|_| l.check_at(client, t0).unwrap_err().first)
            .collect();
        assert_eq!(firsts, [true, false, false, false, false]);
        // Another client's run is its own.
        assert!(l.check_at(ip("2.2.2.2"), t0).is_ok());
        assert!(l.check_at(ip("2.2.2.2"), t0).unwrap_err().first);
        let t1 = t0 + Duration::from_secs(1);
        assert_eq!(
            l.check_at(client, t1),
            Ok(Granted {
                unlogged_refusals: 4
            })
        );
        // A new run starts with a logged refusal again, and the count starts from zero.
        assert!(l.check_at(client, t1).unwrap_err().first);
        let t2 = t0 + Duration::from_secs(2);
        assert_eq!(
            l.check_at(client, t2),
            Ok(Granted {
                unlogged_refusals: 0
            })
        );
    }

    #[test]
    fn forwarded_for_is_used_only_when_trusted_and_the_last_entry_counts() {
        let peer: SocketAddr = "127.0.0.1:5000".parse().unwrap();
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", "6.6.6.6, 203.0.113.9".parse().unwrap());
        assert_eq!(client_key(peer, &h, false), ip("127.0.0.1"));
        assert_eq!(client_key(peer, &h, true), ip("203.0.113.9"));
        h.insert("x-forwarded-for", "garbage".parse().unwrap());
        assert_eq!(client_key(peer, &h, true), ip("127.0.0.1"));
    }
}
