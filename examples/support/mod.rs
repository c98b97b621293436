//! What every example shares: a client for the Kibana in `KIBANA_URL` / `KIBANA_API_KEY`, or,
//! when `KIBANA_URL` is not set, for an embedded mock Kibana started on loopback.

use kibana_serverless::Kibana;
use kibana_serverless_mock::MockKibana;

/// The client, and the mock it talks to if any (kept alive as long as the client is used).
pub async fn connect() -> Result<(Kibana, Option<MockKibana>), Box<dyn std::error::Error>> {
    if std::env::var_os("KIBANA_URL").is_some() {
        return Ok((Kibana::from_env()?, None));
    }
    let mock = MockKibana::start().await?;
    eprintln!(
        "KIBANA_URL is not set: using the embedded mock Kibana at {}",
        mock.url()
    );
    let kibana = Kibana::new(&mock.url(), kibana_serverless_mock::API_KEY)?;
    Ok((kibana, Some(mock)))
}
