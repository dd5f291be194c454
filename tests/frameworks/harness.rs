//! Starting real frameworks on loopback, sending raw HTTP/1.1 exchanges,
//! and comparing each answer with the model's.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub(crate) use cors_lab::frameworks::Framework;
use cors_lab::frameworks::{self, Config, Outcome, Request};

#[path = "recorded.rs"]
pub(crate) mod recorded;
pub(crate) use recorded::{normalise, paths, requests, upstream_backend, CONFIGS};

#[path = "tower_server.rs"]
mod tower_server;

#[path = "snippets.rs"]
pub(crate) mod snippets;

#[path = "config_fixes.rs"]
pub(crate) mod config_fixes;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn tools() -> PathBuf {
    root().join(".tools")
}

/// Ports this test binary has handed out. The framework tests run in
/// parallel, and a port the kernel just gave one test (released so its
/// server can bind it) can be given to another before that server binds;
/// CI once saw an Express check answered by another test's server.
static HANDED_OUT: std::sync::Mutex<Vec<u16>> = std::sync::Mutex::new(Vec::new());

/// A listener on 127.0.0.1 whose port no other test in this binary was given.
pub(crate) fn unique_listener() -> TcpListener {
    let mut handed_out = HANDED_OUT.lock().unwrap_or_else(|e| e.into_inner());
    for _ in 0..1000 {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        if !handed_out.contains(&port) {
            handed_out.push(port);
            return listener;
        }
    }
    panic!("no unused port on 127.0.0.1 after 1000 tries");
}

/// A free port on 127.0.0.1 (bound, then released for the server), never
/// one another test in this binary was given.
pub(crate) fn free_port() -> u16 {
    unique_listener().local_addr().unwrap().port()
}

/// A started process, stopped (killed and reaped) when dropped.
pub(crate) struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Waits (at most 30 s) until `port` accepts connections.
fn wait_ready(port: u16, what: &str, process: &mut Process, log: &Path) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            // A server that failed to bind (port taken) exits soon after;
            // make sure what answered is ours.
            std::thread::sleep(Duration::from_millis(300));
            if let Ok(Some(status)) = process.0.try_wait() {
                panic!(
                    "{what} exited ({status}) although 127.0.0.1:{port} answered: {}",
                    std::fs::read_to_string(log).unwrap_or_default()
                );
            }
            return;
        }
        if let Ok(Some(status)) = process.0.try_wait() {
            panic!(
                "{what} exited ({status}) before listening: {}",
                std::fs::read_to_string(log).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!(
        "{what} did not listen on 127.0.0.1:{port} within 30 s: {}",
        std::fs::read_to_string(log).unwrap_or_default()
    );
}

/// The upstream behind nginx and Apache: `/error` 500, `/missing` 404,
/// `/cors` 200 with its own `Access-Control-Allow-Origin: *`, else 200.
pub(crate) struct Upstream {
    pub(crate) port: u16,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Upstream {
    pub(crate) fn start() -> Upstream {
        let listener = unique_listener();
        let port = listener.local_addr().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if flag.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(mut stream) = stream else { continue };
                let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") {
                    match stream.read(&mut byte) {
                        Ok(1) => head.push(byte[0]),
                        _ => break,
                    }
                }
                let head = String::from_utf8_lossy(&head);
                let path = head.split_whitespace().nth(1).unwrap_or("/").to_owned();
                let (status, extra) = match upstream_backend(&path).outcome {
                    Outcome::Error => ("500 Internal Server Error", ""),
                    Outcome::NotFound => ("404 Not Found", ""),
                    _ if path == "/cors" => ("200 OK", "Access-Control-Allow-Origin: *\r\n"),
                    _ => ("200 OK", ""),
                };
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status}\r\n{extra}Content-Length: 2\r\nConnection: close\r\n\r\nok"
                );
                let _ = stream.shutdown(Shutdown::Both);
            }
        });
        Upstream {
            port,
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for Upstream {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Sends one request (HTTP/1.1, `Connection: close`) and reads the
/// status and headers (at most 15 s).
pub(crate) fn send(port: u16, request: &Request) -> (u16, Vec<(String, String)>) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(15)))
        .unwrap();
    let mut text = format!(
        "{} {} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n",
        request.method, request.path
    );
    for (name, value) in &request.headers {
        text.push_str(&format!("{name}: {value}\r\n"));
    }
    text.push_str("\r\n");
    stream.write_all(text.as_bytes()).unwrap();
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    let response = String::from_utf8_lossy(&response);
    let head = response.split("\r\n\r\n").next().unwrap_or("");
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {response:?}"));
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        .collect();
    (status, headers)
}

/// Whether the frameworks are installed; when not, the test says why it
/// does not run (or fails under `CORS_LAB_REQUIRE_FRAMEWORKS=1`).
fn installed(framework: Framework) -> bool {
    let present = match framework {
        Framework::Express => tools().join("node_modules/cors").exists(),
        Framework::Fastapi | Framework::Django | Framework::Flask => {
            tools().join("venv/bin/python").exists()
        }
        Framework::Nginx => Path::new("/usr/sbin/nginx").exists(),
        Framework::Apache => Path::new("/usr/sbin/apache2").exists(),
        Framework::TowerHttp => true,
    };
    if !present {
        let message =
            format!("skipped: {framework} is not installed (run scripts/setup --frameworks)");
        assert!(
            std::env::var("CORS_LAB_REQUIRE_FRAMEWORKS").as_deref() != Ok("1"),
            "{message}"
        );
        eprintln!("{message}");
    }
    present
}

/// Whether every framework is installed (see [`installed`]).
pub(crate) fn all_installed() -> bool {
    [Framework::Express, Framework::Fastapi, Framework::Nginx]
        .into_iter()
        .all(installed)
}

/// One configuration as the server runs it and as the model reads it.
pub(crate) struct Running {
    pub(crate) port: u16,
    pub(crate) paths: Vec<&'static str>,
    _process: Option<Process>,
    _tower: Option<tower_server::TowerServer>,
    _upstream: Option<Upstream>,
    _dir: tempfile::TempDir,
}

fn spawn(mut command: Command, dir: &Path, what: &str, port: u16) -> Process {
    let log = dir.join("server.log");
    let file = std::fs::File::create(&log).unwrap();
    command
        .stdin(Stdio::null())
        .stdout(file.try_clone().unwrap())
        .stderr(file);
    let mut process = Process(command.spawn().unwrap_or_else(|e| panic!("{what}: {e}")));
    wait_ready(port, what, &mut process, &log);
    process
}

/// Starts `config` (the text the model reads) in the real `framework`.
pub(crate) fn start(framework: Framework, config: &str) -> Running {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_owned();
    let port = free_port();
    let fixtures = root().join("tests/frameworks").join(framework.id());
    let fixture = |name: &str| std::fs::read_to_string(fixtures.join(name)).unwrap();
    let python = tools().join("venv/bin/python");
    let app_paths = paths(framework);
    let mut upstream = None;
    let mut tower = None;
    let (process, paths) = match framework {
        Framework::Express => {
            std::fs::write(
                path.join("app.js"),
                format!("{config}\n{}", fixture("routes.js")),
            )
            .unwrap();
            let mut command = Command::new("node");
            command
                .arg(path.join("app.js"))
                .env("PORT", port.to_string())
                .env("NODE_PATH", tools().join("node_modules"));
            (Some(spawn(command, &path, "express", port)), app_paths)
        }
        Framework::Fastapi => {
            std::fs::write(
                path.join("app.py"),
                format!("{config}{}", fixture("routes.py")),
            )
            .unwrap();
            let mut command = Command::new(&python);
            command.current_dir(&path).args([
                "-m",
                "uvicorn",
                "app:app",
                "--host",
                "127.0.0.1",
                "--port",
                &port.to_string(),
                "--log-level",
                "warning",
            ]);
            (Some(spawn(command, &path, "uvicorn", port)), app_paths)
        }
        Framework::Django => {
            std::fs::write(
                path.join("settings.py"),
                format!("{}\n{config}", fixture("base.py")),
            )
            .unwrap();
            std::fs::write(path.join("urls.py"), fixture("urls.py")).unwrap();
            let mut command = Command::new(&python);
            command
                .current_dir(&path)
                .env("PYTHONPATH", &path)
                .env("DJANGO_SETTINGS_MODULE", "settings")
                .args([
                    "-m",
                    "django",
                    "runserver",
                    &format!("127.0.0.1:{port}"),
                    "--noreload",
                ]);
            (
                Some(spawn(command, &path, "django runserver", port)),
                app_paths,
            )
        }
        Framework::Flask => {
            std::fs::write(
                path.join("app.py"),
                format!("{config}{}", fixture("routes.py")),
            )
            .unwrap();
            let mut command = Command::new(&python);
            command
                .current_dir(&path)
                .arg("app.py")
                .env("PORT", port.to_string());
            (Some(spawn(command, &path, "flask", port)), app_paths)
        }
        Framework::Nginx | Framework::Apache => {
            let up = Upstream::start();
            let www = path.join("www");
            std::fs::create_dir_all(www.join("static")).unwrap();
            std::fs::write(www.join("static/file.txt"), "file").unwrap();
            for dir in [&path, &www, &www.join("static")] {
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
            }
            let text = fill(config, port, up.port, &www);
            let process = if framework == Framework::Nginx {
                start_nginx(&path, &text, port)
            } else {
                start_apache(&path, &text, port, &www)
            };
            upstream = Some(up);
            (Some(process), app_paths)
        }
        Framework::TowerHttp => {
            let Ok(Config::TowerHttp(layer)) = frameworks::parse(framework, config) else {
                panic!("the tower-http model cannot read {config}");
            };
            tower = Some(tower_server::TowerServer::start(port, &layer));
            (None, app_paths)
        }
    };
    Running {
        port,
        paths,
        _process: process,
        _tower: tower,
        _upstream: upstream,
        _dir: dir,
    }
}

/// The configuration with its placeholders filled in (`{DEAD}`: a port
/// nothing listens on).
pub(crate) fn fill(config: &str, port: u16, upstream: u16, www: &Path) -> String {
    recorded::fill(
        config,
        port,
        upstream,
        free_port(),
        &www.display().to_string(),
    )
}

fn start_nginx(dir: &Path, config: &str, port: u16) -> Process {
    let d = dir.display();
    let conf = format!(
        "daemon off;\nmaster_process off;\npid {d}/nginx.pid;\nerror_log {d}/error.log;\n\
         events {{ worker_connections 64; }}\nhttp {{\n  access_log off;\n  \
         client_body_temp_path {d}/body;\n  proxy_temp_path {d}/proxy;\n  \
         fastcgi_temp_path {d}/fastcgi;\n  uwsgi_temp_path {d}/uwsgi;\n  scgi_temp_path {d}/scgi;\n\
         {config}\n}}\n"
    );
    std::fs::write(dir.join("nginx.conf"), conf).unwrap();
    let mut command = Command::new("/usr/sbin/nginx");
    command.args(["-p", &d.to_string(), "-c", &format!("{d}/nginx.conf")]);
    spawn(command, dir, "nginx", port)
}

fn start_apache(dir: &Path, config: &str, port: u16, www: &Path) -> Process {
    let d = dir.display();
    let modules = [
        "mpm_event",
        "authz_core",
        "headers",
        "setenvif",
        "rewrite",
        "proxy",
        "proxy_http",
    ]
    .map(|m| format!("LoadModule {m}_module /usr/lib/apache2/modules/mod_{m}.so\n"))
    .concat();
    let user = if cfg!(unix) && std::env::var("USER").as_deref() == Ok("root") || is_root() {
        "User www-data\nGroup www-data\n"
    } else {
        ""
    };
    let conf = format!(
        "{modules}{user}ServerName 127.0.0.1\nListen 127.0.0.1:{port}\nPidFile {d}/httpd.pid\n\
         ErrorLog {d}/error.log\nDefaultRuntimeDir {d}\nMutex file:{d}\n\
         DocumentRoot {www}\n<Directory {www}>\n  Require all granted\n</Directory>\n{config}\n",
        www = www.display()
    );
    std::fs::write(dir.join("httpd.conf"), conf).unwrap();
    let mut command = Command::new("/usr/sbin/apache2");
    // -X: one process and no worker children, so stopping it (SIGKILL of
    // this one process) leaves nothing behind.
    command.args(["-X", "-f", &format!("{d}/httpd.conf")]);
    spawn(command, dir, "apache2", port)
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// Runs each configuration in the real framework and compares every
/// exchange with the model; prints the counts, fails on any difference.
pub(crate) fn check(framework: Framework) {
    if !installed(framework) {
        return;
    }
    let mut compared = 0;
    let mut differences = Vec::new();
    for (_, file, config) in CONFIGS.iter().filter(|(f, ..)| *f == framework) {
        let running = start(framework, config);
        let model_text = fill(config, running.port, 1, Path::new("/www"));
        let model = frameworks::parse(framework, &model_text)
            .unwrap_or_else(|e| panic!("{framework} {file}: the model cannot read it: {e}"));
        for path in &running.paths {
            for request in requests(path) {
                let (status, headers) = send(running.port, &request);
                let answer = model.respond(&request, &upstream_backend(path));
                compared += 1;
                let real = (status, normalise(&headers));
                let modelled = (answer.status, normalise(&answer.headers));
                if real != modelled {
                    differences.push(format!(
                        "{file}: {} {} {:?}\n   real:  {real:?}\n   model: {modelled:?}",
                        request.method, request.path, request.headers
                    ));
                }
            }
        }
    }
    eprintln!(
        "{framework}: {compared} exchanges compared, {} agree",
        compared - differences.len()
    );
    assert!(
        differences.is_empty(),
        "{framework}: {} of {compared} exchanges differ from the model:\n{}",
        differences.len(),
        differences.join("\n")
    );
}
