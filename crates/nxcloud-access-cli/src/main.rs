//! PLACEHOLDER (the CLI of issue 2).

fn main() {
    eprintln!("nxcloud-access: not built yet");
    std::process::exit(2);
}
