//! The decode bench (`benches/decode.rs`) in a binary whose global allocator is mimalloc: the
//! same rows against the same floor, so set beside `cargo bench --bench decode` it shows what
//! the allocator costs a decode into owned values (one allocation per string and `Vec`). The
//! client cannot choose the allocator; a program using it can.
//!
//! `cargo bench --bench decode_mimalloc` (`DECODE_ROUNDS`, `DECODE_ITERS` as for `decode`).

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[path = "decode.rs"]
mod decode;

fn main() {
    decode::main();
}
