//! The load generator of `scripts/loadtest`: keep-alive HTTP/1.1 clients on
//! plain threads (std only, so the client costs little next to the server),
//! bounded in request count and time, loopback only.
//!
//! `loadgen --url http://127.0.0.1:PORT[/ws/ID] --token T --mode get|put
//!  --size BYTES --requests N --concurrency C --max-seconds S --label L`
//!
//! `get` stores one artifact of `--size` bytes and then reads it back N times
//! (remote cache hits); `put` uploads N distinct artifacts (every one a 200).
//! Prints one line: label, requests, errors, requests per second, latency
//! percentiles in milliseconds.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

struct Options {
    addr: SocketAddr,
    prefix: String,
    token: Option<String>,
    put: bool,
    size: usize,
    requests: usize,
    concurrency: usize,
    max_seconds: u64,
    label: String,
}

fn main() -> ExitCode {
    match parse(std::env::args().skip(1).collect()) {
        Ok(options) => match run(&options) {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => {
                eprintln!("loadgen: {error}");
                ExitCode::from(1)
            }
        },
        Err(error) => {
            eprintln!("loadgen: {error}");
            ExitCode::from(2)
        }
    }
}

fn parse(args: Vec<String>) -> Result<Options, String> {
    let mut url = None;
    let mut options = Options {
        addr: SocketAddr::from(([127, 0, 0, 1], 4599)),
        prefix: String::new(),
        token: None,
        put: false,
        size: 1024,
        requests: 1000,
        concurrency: 4,
        max_seconds: 20,
        label: String::new(),
    };
    let mut iter = args.into_iter();
    while let Some(flag) = iter.next() {
        let value = iter.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let number = |v: &str| {
            v.parse::<usize>()
                .map_err(|_| format!("{flag}: not a number"))
        };
        match flag.as_str() {
            "--url" => url = Some(value),
            "--token" => options.token = Some(value).filter(|t| !t.is_empty()),
            "--mode" => options.put = value == "put",
            "--size" => options.size = number(&value)?,
            "--requests" => options.requests = number(&value)?,
            "--concurrency" => options.concurrency = number(&value)?.max(1),
            "--max-seconds" => options.max_seconds = number(&value)? as u64,
            "--label" => options.label = value,
            _ => return Err(format!("unknown flag {flag}")),
        }
    }
    let url = url.ok_or("--url is required")?;
    let rest = url.strip_prefix("http://").ok_or("--url must be http://")?;
    let (host, prefix) = rest.split_once('/').map_or((rest, ""), |(h, p)| (h, p));
    options.addr = host
        .parse()
        .map_err(|_| format!("`{host}` is not IP:PORT"))?;
    if !options.addr.ip().is_loopback() {
        return Err("the load test runs against loopback addresses only".into());
    }
    options.prefix = if prefix.is_empty() {
        String::new()
    } else {
        format!("/{prefix}")
    };
    Ok(options)
}

fn run(options: &Options) -> Result<(), String> {
    let body: Arc<Vec<u8>> = Arc::new((0..options.size).map(|i| (i % 251) as u8).collect());
    let run_id = std::process::id() as u64 * 1_000_000_000
        + (std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as u64 % 1_000_000_000)
            .unwrap_or(0));
    let hit_hash = format!("{run_id}");
    if !options.put {
        let mut client = Client::connect(options)?;
        let status = client.send("PUT", &hit_hash, Some(&body))?;
        if status != 200 && status != 409 {
            return Err(format!("storing the artifact to read answered {status}"));
        }
    }
    let next = Arc::new(AtomicUsize::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + Duration::from_secs(options.max_seconds);
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..options.concurrency {
        let next = Arc::clone(&next);
        let errors = Arc::clone(&errors);
        let body = Arc::clone(&body);
        let hit_hash = hit_hash.clone();
        let mut client = Client::connect(options)?;
        let put = options.put;
        let total = options.requests;
        workers.push(std::thread::spawn(move || {
            let mut latencies = Vec::new();
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n >= total || Instant::now() > deadline {
                    break;
                }
                let begin = Instant::now();
                let outcome = if put {
                    client.send("PUT", &format!("{run_id}{n:07}"), Some(&body))
                } else {
                    client.send("GET", &hit_hash, None)
                };
                latencies.push(begin.elapsed());
                if outcome != Ok(200) {
                    errors.fetch_add(1, Ordering::Relaxed);
                }
            }
            latencies
        }));
    }
    let mut latencies: Vec<Duration> = Vec::new();
    for worker in workers {
        latencies.extend(worker.join().map_err(|_| "a client thread failed")?);
    }
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort();
    let pct = |p: f64| {
        let index = ((latencies.len() as f64 - 1.0) * p).round() as usize;
        latencies
            .get(index)
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    println!(
        "{:<28} {:>6} req {:>3} err {:>9.0} req/s  p50 {:>7.3} ms  p90 {:>7.3} ms  p99 {:>7.3} ms",
        options.label,
        latencies.len(),
        errors.load(Ordering::Relaxed),
        latencies.len() as f64 / elapsed,
        pct(0.50),
        pct(0.90),
        pct(0.99),
    );
    if errors.load(Ordering::Relaxed) > 0 {
        return Err("some requests did not answer 200".into());
    }
    Ok(())
}

/// One keep-alive connection speaking just enough HTTP/1.1.
struct Client {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
    prefix: String,
    auth: String,
    scratch: Vec<u8>,
}

impl Client {
    fn connect(options: &Options) -> Result<Self, String> {
        let stream = TcpStream::connect(options.addr).map_err(|e| e.to_string())?;
        stream.set_nodelay(true).map_err(|e| e.to_string())?;
        let writer = stream.try_clone().map_err(|e| e.to_string())?;
        Ok(Self {
            reader: BufReader::with_capacity(256 * 1024, stream),
            writer,
            prefix: options.prefix.clone(),
            auth: options
                .token
                .as_ref()
                .map(|t| format!("authorization: Bearer {t}\r\n"))
                .unwrap_or_default(),
            scratch: vec![0; 256 * 1024],
        })
    }

    fn send(&mut self, method: &str, hash: &str, body: Option<&[u8]>) -> Result<u16, String> {
        let length = body.map_or(0, <[u8]>::len);
        let head = format!(
            "{method} {}/v1/cache/{hash} HTTP/1.1\r\nhost: loadtest\r\n{}content-type: application/octet-stream\r\ncontent-length: {length}\r\n\r\n",
            self.prefix, self.auth
        );
        self.writer
            .write_all(head.as_bytes())
            .map_err(|e| e.to_string())?;
        if let Some(body) = body {
            self.writer.write_all(body).map_err(|e| e.to_string())?;
        }
        let mut line = String::new();
        self.reader
            .read_line(&mut line)
            .map_err(|e| e.to_string())?;
        let status = line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse::<u16>().ok())
            .ok_or_else(|| format!("bad status line `{}`", line.trim()))?;
        let mut content_length = 0usize;
        loop {
            line.clear();
            self.reader
                .read_line(&mut line)
                .map_err(|e| e.to_string())?;
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    content_length = value.trim().parse().map_err(|_| "bad content-length")?;
                }
            }
        }
        let mut left = content_length;
        while left > 0 {
            let take = left.min(self.scratch.len());
            let chunk = self.scratch.get_mut(..take).ok_or("buffer")?;
            self.reader.read_exact(chunk).map_err(|e| e.to_string())?;
            left -= take;
        }
        Ok(status)
    }
}
