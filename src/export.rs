//! Saved-objects export as a stream: each exported object as it arrives, then the export
//! details, in constant memory however large the export.

use crate::ndjson;
use crate::saved_objects::builder::PostSavedObjectsExport;
use crate::saved_objects::types::PostSavedObjectsExportItem;
use crate::{Error, ResponseValue};
use futures::{Stream, StreamExt};
use serde::{Deserialize, Serialize};
use std::path::Path;
use tokio::io::AsyncWriteExt;

/// The lines of an export, as they arrive.
pub type ExportStream = std::pin::Pin<Box<dyn Stream<Item = Result<ExportLine, Error>> + Send>>;

/// A saved object, as exported.
pub type SavedObject = PostSavedObjectsExportItem;

/// One line of an export.
#[derive(Debug, Clone, PartialEq)]
pub enum ExportLine {
    /// An exported saved object.
    Object(Box<SavedObject>),
    /// The last line: what was exported and what was missing (unless `excludeExportDetails`).
    Details(ExportDetails),
}

/// The export-details line Kibana ends an export with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExportDetails {
    /// Objects exported.
    #[serde(rename = "exportedCount")]
    pub exported_count: u64,
    /// References that could not be found.
    #[serde(rename = "missingRefCount", default)]
    pub missing_ref_count: u64,
    /// Those references.
    #[serde(rename = "missingReferences", default)]
    pub missing_references: Vec<MissingReference>,
    /// Objects left out because no one may export them, and any other field Kibana adds.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// A reference an exported object has to an object that was not found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MissingReference {
    /// Its id.
    pub id: String,
    /// Its type.
    #[serde(rename = "type")]
    pub type_: String,
}

/// What [`PostSavedObjectsExport::write_to`] wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportSummary {
    /// Saved objects written.
    pub objects: u64,
    /// The export details, if Kibana sent them.
    pub details: Option<ExportDetails>,
    /// Bytes written.
    pub bytes: u64,
}

fn parse(line: usize, bytes: &[u8]) -> Result<ExportLine, Error> {
    // Only the details line has `exportedCount`; look before parsing twice.
    if memchr_find(bytes, b"\"exportedCount\"")
        && let Ok(details) = serde_json::from_slice::<ExportDetails>(bytes)
    {
        return Ok(ExportLine::Details(details));
    }
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize::<_, SavedObject>(de)
        .map(|o| ExportLine::Object(Box::new(o)))
        .map_err(|e| Error::MalformedLine {
            line,
            message: format!("at `{}`: {}", e.path(), e.inner()),
        })
}

fn memchr_find(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

impl<'a> PostSavedObjectsExport<'a> {
    /// Sends the export and yields each line as it arrives: saved objects, then the export
    /// details. A line that is not a saved object ends the stream with
    /// [`Error::MalformedLine`], after every good line before it.
    pub async fn lines(self) -> Result<ExportStream, Error> {
        let response: ResponseValue<crate::ByteStream> = self.send().await?;
        let raw = ndjson::lines(response.into_inner().into_inner());
        // The first bad line is the last item.
        Ok(Box::pin(raw.scan(false, |failed, line| {
            if *failed {
                return futures::future::ready(None);
            }
            let result = line.and_then(|(n, bytes)| parse(n, &bytes));
            *failed = result.is_err();
            futures::future::ready(Some(result))
        })))
    }

    /// Sends the export and writes it to `path` as Kibana sent it, line by line, checking each.
    /// On an error, the file holds every good line before it.
    pub async fn write_to(self, path: impl AsRef<Path>) -> Result<ExportSummary, Error> {
        let response: ResponseValue<crate::ByteStream> = self.send().await?;
        let io = Error::Io;
        let file = tokio::fs::File::create(path.as_ref()).await.map_err(io)?;
        let mut out = tokio::io::BufWriter::new(file);
        let mut summary = ExportSummary {
            objects: 0,
            details: None,
            bytes: 0,
        };
        let mut lines = std::pin::pin!(ndjson::lines(response.into_inner().into_inner()));
        let copied: Result<(), Error> = async {
            while let Some(line) = lines.next().await {
                let (n, bytes) = line?;
                match parse(n, &bytes)? {
                    ExportLine::Object(_) => summary.objects += 1,
                    ExportLine::Details(d) => summary.details = Some(d),
                }
                out.write_all(&bytes).await.map_err(io)?;
                out.write_all(b"\n").await.map_err(io)?;
                summary.bytes += bytes.len() as u64 + 1;
            }
            Ok(())
        }
        .await;
        // Flushed either way: on an error the file keeps every good line.
        out.flush().await.map_err(io)?;
        copied?;
        Ok(summary)
    }
}
