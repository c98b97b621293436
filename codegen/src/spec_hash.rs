//! A hash of the generator's inputs (`spec/`: the spec, overlays, domains, pagination and
//! secrets), recorded in the manifest so that the root crate's `build.rs` can tell, cheaply,
//! that `generated/` no longer matches `spec/`. `build.rs` includes this same file.

use std::path::Path;

/// FNV-1a over each input file's path (relative to `inputs`) and bytes, in path order, as hex.
/// The inputs are the `.yaml`/`.yml`/`.json` files of `inputs` and of its `overlays/`.
pub fn of_inputs(inputs: &Path) -> std::io::Result<String> {
    let mut files = Vec::new();
    collect(inputs, inputs, &mut files)?;
    files.sort();
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for rel in files {
        let bytes = std::fs::read(inputs.join(&rel))?;
        for b in rel
            .as_bytes()
            .iter()
            .chain([0u8].iter())
            .chain(bytes.iter())
        {
            hash ^= u64::from(*b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    Ok(format!("{hash:016x}"))
}

fn collect(root: &Path, dir: &Path, out: &mut Vec<String>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            if dir == root && path.file_name().is_some_and(|n| n == "overlays") {
                collect(root, &path, out)?;
            }
        } else if path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| matches!(e, "yaml" | "yml" | "json"))
            && let Ok(rel) = path.strip_prefix(root)
        {
            out.push(rel.to_string_lossy().replace('\\', "/"));
        }
    }
    Ok(())
}
