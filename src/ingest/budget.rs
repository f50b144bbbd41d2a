//! The run's memory budget: takes a file's worst-case cost (estimated from
//! its size, its declared inflated sizes and the extent of its sheets, before
//! anything large is allocated) and gives a [`Reservation`] that holds that
//! much of [`Limits::max_memory_bytes`] until the file's read result is
//! dropped.
//!
//! The budget is shared by every reader of the process that reads with the
//! same limit: a run is one process and its parallel readers draw on the
//! same memory, so one pool per process is what "total run memory" means. A file waits while other files hold the
//! budget; a file whose own worst case exceeds the whole budget is refused at
//! once. Whether a file is read thus depends only on the file and the limits,
//! never on which other files happened to be read at the same time, and the
//! same input still gives the same report.
//!
//! What it bounds: the file bytes held in memory, calamine's parsed form of
//! the workbook (its dense grids for .xls and .ods, its shared strings for
//! .xlsx), the sparse sheets read from it and the text its cells expand to.
//! What it does not bound: the records, findings and figures made from the
//! sheets afterwards (small, and proportional to what was read), the reports,
//! the schemas and the program itself, and the bytes of a file that is
//! waiting for a larger reservation (at most one file per reading thread).
//!
//! [`Limits::max_memory_bytes`]: super::Limits::max_memory_bytes

use std::sync::{Condvar, Mutex, MutexGuard};

use crate::issue::FileProblem;

/// Bytes reserved by the files being read, per budget (by capacity): all
/// readers of a run share one; a test that reads with other limits in the
/// same process gets its own.
static USED: Mutex<Vec<(u64, u64)>> = Mutex::new(Vec::new());
/// Signalled whenever a reservation shrinks or ends.
static FREED: Condvar = Condvar::new();

fn pools() -> MutexGuard<'static, Vec<(u64, u64)>> {
    // A panic while the lock is held cannot leave a counter half-written
    // (each is one integer), so a poisoned lock is still good to use.
    USED.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The bytes held in the budget of `capacity`.
fn held(pools: &mut Vec<(u64, u64)>, capacity: u64) -> &mut u64 {
    let at = match pools.iter().position(|(c, _)| *c == capacity) {
        Some(at) => at,
        None => {
            pools.push((capacity, 0));
            pools.len() - 1
        }
    };
    &mut pools[at].1
}

/// Memory held for one file; given back when dropped.
#[derive(Debug)]
pub struct Reservation {
    bytes: u64,
    /// The most it held: the file's worst case.
    peak: u64,
    capacity: u64,
}

/// The finding for a file that the budget can never hold.
fn over_budget(bytes: u64, capacity: u64) -> FileProblem {
    FileProblem::OverMemoryBudget { bytes, limit: capacity }
}

/// Waits until `bytes` fit beside what other files hold, then takes them.
/// A file alone in the budget always gets in (it was checked against the
/// capacity first), so nothing waits for ever.
fn acquire(bytes: u64, capacity: u64) {
    let mut pools = pools();
    loop {
        let used = held(&mut pools, capacity);
        if *used == 0 || used.saturating_add(bytes) <= capacity {
            *used = used.saturating_add(bytes);
            return;
        }
        pools = FREED.wait(pools).unwrap_or_else(|poisoned| poisoned.into_inner());
    }
}

fn release(bytes: u64, capacity: u64) {
    if bytes == 0 {
        return;
    }
    let mut pools = pools();
    let used = held(&mut pools, capacity);
    *used = used.saturating_sub(bytes);
    drop(pools);
    FREED.notify_all();
}

impl Reservation {
    /// Reserves `bytes` of a budget of `capacity` bytes, waiting while other
    /// files hold it.
    ///
    /// Errors: [`FileProblem::OverMemoryBudget`] when `bytes` alone exceed
    /// the capacity.
    pub fn new(bytes: u64, capacity: u64) -> Result<Reservation, FileProblem> {
        if bytes > capacity {
            return Err(over_budget(bytes, capacity));
        }
        acquire(bytes, capacity);
        Ok(Reservation {
            bytes,
            peak: bytes,
            capacity,
        })
    }

    /// Grows the reservation to `bytes` (the file's full worst case, known
    /// once its structure was checked). When the budget cannot take the
    /// difference now, the reservation is given back whole and the full
    /// amount is waited for: a file never waits while holding part of the
    /// budget, so two files can never wait for each other.
    ///
    /// Errors: [`FileProblem::OverMemoryBudget`] when `bytes` alone exceed
    /// the capacity.
    pub fn grow_to(&mut self, bytes: u64) -> Result<(), FileProblem> {
        if bytes <= self.bytes {
            return Ok(());
        }
        if bytes > self.capacity {
            return Err(over_budget(bytes, self.capacity));
        }
        let extra = bytes - self.bytes;
        {
            let mut pools = pools();
            let used = held(&mut pools, self.capacity);
            if used.saturating_add(extra) <= self.capacity {
                *used = used.saturating_add(extra);
                self.bytes = bytes;
                self.peak = self.peak.max(bytes);
                return Ok(());
            }
        }
        release(self.bytes, self.capacity);
        self.bytes = 0;
        acquire(bytes, self.capacity);
        self.bytes = bytes;
        self.peak = self.peak.max(bytes);
        Ok(())
    }

    /// Gives back what is no longer needed, keeping `bytes`.
    pub fn shrink_to(&mut self, bytes: u64) {
        if bytes < self.bytes {
            release(self.bytes - bytes, self.capacity);
            self.bytes = bytes;
        }
    }

    /// Bytes held.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// The most bytes held at once.
    pub fn peak(&self) -> u64 {
        self.peak
    }
}

impl Drop for Reservation {
    fn drop(&mut self) {
        release(self.bytes, self.capacity);
    }
}

/// Bytes held in the budget of `capacity` bytes.
pub fn in_use(capacity: u64) -> u64 {
    *held(&mut pools(), capacity)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};

    #[test]
    fn a_file_larger_than_the_budget_is_refused_at_once() {
        assert!(matches!(
            Reservation::new(11, 10),
            Err(FileProblem::OverMemoryBudget { bytes: 11, limit: 10 })
        ));
        let mut r = Reservation::new(5, 10).unwrap();
        assert!(r.grow_to(11).is_err());
        assert_eq!(r.bytes(), 5);
    }

    #[test]
    fn readers_wait_for_each_other_and_never_hold_more_than_the_budget() {
        let capacity = (1 << 40) + 7;
        let share = capacity / 3;
        let peak = Arc::new(AtomicU64::new(0));
        let inside = Arc::new(AtomicU64::new(0));
        let threads: Vec<_> = (0..6)
            .map(|i| {
                let (peak, inside) = (peak.clone(), inside.clone());
                std::thread::spawn(move || {
                    let mut r = Reservation::new(share / 2, capacity).unwrap();
                    r.grow_to(share + i).unwrap();
                    let now = inside.fetch_add(r.bytes(), Ordering::SeqCst) + r.bytes();
                    peak.fetch_max(now, Ordering::SeqCst);
                    std::thread::sleep(std::time::Duration::from_millis(20));
                    inside.fetch_sub(r.bytes(), Ordering::SeqCst);
                    r.shrink_to(1);
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert!(peak.load(Ordering::SeqCst) <= capacity);
        assert!(peak.load(Ordering::SeqCst) >= share);
        assert_eq!(in_use(capacity), 0);
    }
}
