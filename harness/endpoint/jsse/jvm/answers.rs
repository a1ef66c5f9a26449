//! The JVM's answers, read by the callers that wait for them. There is no
//! reader thread: one waiting caller at a time reads answers off the
//! connection, keeps its own and hands the others to their callers; when
//! it leaves, it wakes another waiting caller to read on. A caller that
//! reads its own answer gets it with no thread switch in between, where a
//! reader thread adds one to every round trip (and a JSSE handshake makes
//! six to eight of them when one handshake runs at a time, as in the
//! bench).

use std::collections::HashMap;
use std::io::{BufRead, BufReader, ErrorKind, Read};
use std::net::TcpStream;
use std::os::unix::net::UnixStream;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use super::{lock, JvmError};

/// The largest answer read: anything longer is not the JVM's.
const MAX_FRAME: usize = 64 << 20;

/// How long the rest of an answer may take once its first byte has come
/// (the JVM writes each answer whole, so it is on its way).
const REST_OF_AN_ANSWER: Duration = Duration::from_secs(20);

/// A connection the JVM answers on, whose reads can be given a deadline.
pub trait Source: Read + Send {
    /// Makes each read give up after `timeout`.
    fn set_timeout(&self, timeout: Duration) -> std::io::Result<()>;
}

impl Source for UnixStream {
    fn set_timeout(&self, timeout: Duration) -> std::io::Result<()> {
        self.set_read_timeout(Some(timeout))
    }
}

impl Source for TcpStream {
    fn set_timeout(&self, timeout: Duration) -> std::io::Result<()> {
        self.set_read_timeout(Some(timeout))
    }
}

/// The answers of one JVM connection, and the callers waiting for them.
pub struct Answers {
    state: Mutex<State>,
    source: Mutex<BufReader<Box<dyn Source>>>,
}

/// The callers waiting, by request id; whether one of them is reading;
/// or why no answer will come any more.
#[derive(Default)]
struct State {
    callers: HashMap<u32, Caller>,
    reading: bool,
    gone: Option<JvmError>,
}

/// A caller waiting: what wakes it, and its answer once read.
struct Caller {
    wake: Arc<Condvar>,
    answer: Option<Vec<u8>>,
}

impl State {
    /// Hands `answer` to the caller of `id`; one that has given up gets
    /// nothing.
    fn deliver(&mut self, id: u32, answer: Vec<u8>) {
        if let Some(caller) = self.callers.get_mut(&id) {
            caller.answer = Some(answer);
            caller.wake.notify_one();
        }
    }

    /// No answer will come any more, for `why`: every caller is woken to
    /// learn it.
    fn end(&mut self, why: JvmError) {
        self.gone = Some(why);
        for caller in self.callers.values() {
            caller.wake.notify_one();
        }
    }

    /// With nobody reading, wakes a caller still waiting so that it reads
    /// on.
    fn wake_a_reader(&self) {
        if self.reading {
            return;
        }
        if let Some(next) = self.callers.values().find(|c| c.answer.is_none()) {
            next.wake.notify_one();
        }
    }
}

impl Answers {
    /// The answers read from `source`.
    pub fn new(source: Box<dyn Source>) -> Answers {
        Answers {
            state: Mutex::default(),
            source: Mutex::new(BufReader::with_capacity(1 << 16, source)),
        }
    }

    /// Makes `id` a caller, before its request is written; why no answer
    /// will come, once the JVM is gone.
    pub fn expect(&self, id: u32) -> Result<(), JvmError> {
        let mut state = lock(&self.state);
        if let Some(gone) = &state.gone {
            return Err(gone.clone());
        }
        let caller = Caller {
            wake: Arc::default(),
            answer: None,
        };
        state.callers.insert(id, caller);
        Ok(())
    }

    /// Forgets the caller `id`, whose request was never written.
    pub fn forget(&self, id: u32) {
        lock(&self.state).callers.remove(&id);
    }

    /// How many callers are waiting.
    #[cfg(test)]
    pub fn callers(&self) -> usize {
        lock(&self.state).callers.len()
    }

    /// Why no answer will come any more, once the JVM is gone.
    pub fn gone(&self) -> Option<JvmError> {
        lock(&self.state).gone.clone()
    }

    /// The JVM is gone for `why`: every caller learns it, now and later.
    pub fn set_gone(&self, why: JvmError) {
        lock(&self.state).end(why);
    }

    /// Waits up to `within` for the answer to `id` (made a caller by
    /// [`Answers::expect`]), reading answers meanwhile whenever no other
    /// caller is. The caller is forgotten however this ends.
    pub fn wait(&self, id: u32, within: Duration) -> Result<Vec<u8>, JvmError> {
        let deadline = Instant::now() + within;
        let mut state = lock(&self.state);
        let ended = loop {
            let Some(caller) = state.callers.get_mut(&id) else {
                break Err(JvmError::Protocol(format!("request {id} has no caller")));
            };
            if let Some(answer) = caller.answer.take() {
                break Ok(answer);
            }
            let wake = Arc::clone(&caller.wake);
            if let Some(gone) = &state.gone {
                break Err(gone.clone());
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break Err(JvmError::Timeout(within));
            }
            state = match state.reading {
                true => {
                    wake.wait_timeout(state, left)
                        .unwrap_or_else(PoisonError::into_inner)
                        .0
                }
                false => self.read_for_everyone(state, left),
            };
        };
        state.callers.remove(&id);
        state.wake_a_reader();
        ended
    }

    /// Reads the next answer, or the end of the JVM's output, for whichever
    /// caller it is; `state` is let go while reading.
    fn read_for_everyone<'a>(
        &'a self,
        mut state: MutexGuard<'a, State>,
        within: Duration,
    ) -> MutexGuard<'a, State> {
        state.reading = true;
        drop(state);
        let read = self.read_one(within);
        let mut state = lock(&self.state);
        state.reading = false;
        match read {
            Ok(Some((id, answer))) => state.deliver(id, answer),
            Ok(None) => {}
            Err(why) => state.end(why),
        }
        state
    }

    /// The next answer and its request's id; none if no byte of one came
    /// within `within`.
    fn read_one(&self, within: Duration) -> Result<Option<(u32, Vec<u8>)>, JvmError> {
        let mut source = lock(&self.source);
        if source.buffer().is_empty() {
            let timed = |source: &BufReader<Box<dyn Source>>, t| {
                source
                    .get_ref()
                    .set_timeout(t)
                    .map_err(|e| JvmError::died("cannot set the JVM's deadline", Some(e)))
            };
            timed(&source, within)?;
            match source.fill_buf() {
                Ok([]) => return Err(JvmError::died("the JVM closed its output", None)),
                Ok(_) => {}
                Err(e)
                    if matches!(
                        e.kind(),
                        ErrorKind::WouldBlock | ErrorKind::TimedOut | ErrorKind::Interrupted
                    ) =>
                {
                    return Ok(None)
                }
                Err(e) => return Err(JvmError::died("the JVM closed its output", Some(e))),
            }
            timed(&source, REST_OF_AN_ANSWER)?;
        }
        let frame = read_frame(&mut *source)?;
        match frame.split_first_chunk::<4>() {
            Some((id, answer)) => Ok(Some((u32::from_be_bytes(*id), answer.to_vec()))),
            None => Err(JvmError::Protocol(
                "the JVM sent an answer without an id".into(),
            )),
        }
    }
}

/// One length-prefixed frame.
fn read_frame(out: &mut impl Read) -> Result<Vec<u8>, JvmError> {
    let mut len = [0u8; 4];
    out.read_exact(&mut len)
        .map_err(|e| JvmError::died("the JVM closed its output", Some(e)))?;
    let len = u32::from_be_bytes(len) as usize;
    if len > MAX_FRAME {
        return Err(JvmError::Protocol(format!(
            "an answer of {len} bytes is not the JVM's"
        )));
    }
    let mut body = vec![0u8; len];
    out.read_exact(&mut body)
        .map_err(|e| JvmError::died("the JVM's answer was cut short", Some(e)))?;
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::sync::mpsc;

    fn frame(id: u32, body: &[u8]) -> Vec<u8> {
        let mut f = ((body.len() + 4) as u32).to_be_bytes().to_vec();
        f.extend(id.to_be_bytes());
        f.extend(body);
        f
    }

    /// Answers and the end of a socket the test writes to.
    fn over_a_socket() -> (Arc<Answers>, UnixStream) {
        let (ours, theirs) = UnixStream::pair().expect("a socket pair");
        (Arc::new(Answers::new(Box::new(ours))), theirs)
    }

    /// Answers reach the caller of their id in whatever order the JVM
    /// finishes them; when the JVM's output ends, the caller still waiting
    /// learns why, and later callers are refused at once.
    #[test]
    fn answers_reach_their_own_callers_in_any_order() {
        let (answers, mut jvm) = over_a_socket();
        for id in 1..=4 {
            answers.expect(id).expect("not gone");
        }
        let wire = [frame(3, b"three"), frame(1, b"one"), frame(2, b"two")].concat();
        jvm.write_all(&wire).expect("written");
        drop(jvm);
        let within = Duration::from_secs(60);
        // 1 reads 3's answer on its way to its own; 2 reads its own; 3's
        // was read for it; 4 finds the end.
        let got: Vec<_> = (1..=4).map(|id| answers.wait(id, within)).collect();
        assert_eq!(got[0].as_deref().ok(), Some(&b"one"[..]));
        assert_eq!(got[1].as_deref().ok(), Some(&b"two"[..]));
        assert_eq!(got[2].as_deref().ok(), Some(&b"three"[..]));
        assert!(matches!(got[3], Err(JvmError::Died { .. })), "{:?}", got[3]);
        assert!(lock(&answers.state).callers.is_empty(), "all let go");
        assert!(matches!(answers.expect(5), Err(JvmError::Died { .. })));
    }

    /// Callers on their own threads, answered in reverse order: each gets
    /// its own answer, whichever of them happens to be reading.
    #[test]
    fn callers_on_many_threads_each_get_their_own_answer() {
        let (answers, mut jvm) = over_a_socket();
        let (done, finished) = mpsc::channel();
        for id in 1..=8u32 {
            answers.expect(id).expect("not gone");
            let (answers, done) = (Arc::clone(&answers), done.clone());
            std::thread::spawn(move || {
                let _ = done.send((id, answers.wait(id, Duration::from_secs(3600))));
            });
        }
        for id in (1..=8u32).rev() {
            jvm.write_all(&frame(id, &id.to_be_bytes()))
                .expect("written");
        }
        for _ in 1..=8 {
            let (id, got) = finished
                .recv_timeout(Duration::from_secs(60))
                .expect("every caller is answered");
            assert_eq!(got.expect("answered"), id.to_be_bytes());
        }
    }

    /// A caller reading when its own deadline passes stops, and another
    /// caller still waiting takes over the reading and gets its answer
    /// when it comes. Without the hand-over that caller would sleep out its
    /// hour-long deadline.
    #[test]
    fn a_caller_that_gives_up_hands_the_reading_over() {
        let (answers, mut jvm) = over_a_socket();
        answers.expect(1).expect("not gone");
        answers.expect(2).expect("not gone");
        let (done, finished) = mpsc::channel();
        let first = {
            let answers = Arc::clone(&answers);
            std::thread::spawn(move || answers.wait(1, Duration::from_millis(200)))
        };
        // The first caller reads until its deadline; the second waits.
        while !lock(&answers.state).reading {
            std::thread::yield_now();
        }
        {
            let (answers, done) = (Arc::clone(&answers), done.clone());
            std::thread::spawn(move || {
                let _ = done.send(answers.wait(2, Duration::from_secs(3600)));
            });
        }
        let gave_up = first.join().expect("the first caller");
        assert!(matches!(gave_up, Err(JvmError::Timeout(_))), "{gave_up:?}");
        jvm.write_all(&frame(1, b"late")).expect("written");
        jvm.write_all(&frame(2, b"two")).expect("written");
        let got = finished
            .recv_timeout(Duration::from_secs(60))
            .expect("the second caller read on");
        assert_eq!(got.expect("answered"), b"two");
        assert!(
            lock(&answers.state).callers.is_empty(),
            "the late answer is dropped"
        );
    }
}
