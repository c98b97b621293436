//! The `kbn` binary.

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let code = kibana_serverless_cli::main(std::env::args().collect()).await;
    std::process::exit(code);
}
