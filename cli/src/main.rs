//! The `kbn` binary.

// Two workers: the next page is fetched and decoded while this one is written.
#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let code = kibana_serverless_cli::main(std::env::args().collect()).await;
    std::process::exit(code);
}
