//! Readers of the texts Nx reads: `nx.json` (JSONC), dotenv files (both
//! flavours of ENVF-3, and the expansion of DOT-1), the personal access token
//! file (PATR-1/2) and the installed client package (CLI-1). Pure: texts in,
//! values out.

pub mod client;
pub mod dotenv;
pub(crate) mod number;
pub mod nx_json;
pub mod pat_ini;
