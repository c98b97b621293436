//! Creates a Security AI Assistant conversation, adds a message to it, and reads it back.
//!
//! `cargo run --example assistant_conversation`

#[path = "support/mod.rs"]
mod support;

use kibana_serverless::security_ai_assistant::types::{
    ConversationCreateProps, ConversationUpdateProps, Message, MessageRole,
};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (kibana, _mock) = support::connect().await?;
    let assistant = kibana.security_ai_assistant();

    let created = assistant
        .create_conversation()
        .body(
            ConversationCreateProps::builder()
                .title("Triage of host-000042")
                .category(Some("assistant".parse()?)),
        )
        .send()
        .await?;
    println!("created conversation {} ({:?})", created.id, created.title);

    let message = Message::builder()
        .role(MessageRole::User)
        .content("Which alerts fired on host-000042 today?")
        .timestamp("2025-04-22T10:00:00.000Z")
        .try_into()?;
    let update = ConversationUpdateProps::builder()
        .id(created
            .id
            .parse::<kibana_serverless::security_ai_assistant::types::NonEmptyString>()?)
        .messages(vec![message])
        .title(Some("Triage of host-000042 (in progress)".to_string()));
    let updated = assistant
        .update_conversation()
        .id(created.id.as_str())
        .body(update)
        .send()
        .await?;
    println!(
        "updated: {} message(s), title {:?}",
        updated.messages.len(),
        updated.title
    );

    let read = assistant
        .read_conversation()
        .id(created.id.as_str())
        .send()
        .await?;
    println!(
        "read back: {} by {:?}",
        read.title,
        read.users
            .iter()
            .filter_map(|u| u.name.clone())
            .collect::<Vec<_>>()
    );
    Ok(())
}
