//! # nxcloud-access
//!
//! The credential and permission engine of Nx Cloud, as a pure library: it
//! takes texts and maps, returns values, and never touches the file system,
//! the network or `std::env` (the CLI, the server and the wasm bindings do).
//!
//! * [`secret`]: the [`Secret`] type, redacted in every output.
//! * [`error`]: the [`ErrorCode`] trait every error implements.
//! * [`workspace`]: finding a workspace's files as Nx does, over a host
//!   that the CLI and the npm package implement.
//! * [`plugin`]: what the Nx plugin `nxcloud-access/nx-plugin` sets before
//!   Nx runs tasks (the self-hosted remote cache variables).

pub mod error;
pub mod secret;

pub use error::{ErrorCode, Location};
pub use secret::Secret;

pub mod access;
pub mod input;
pub mod limits;
pub mod plugin;
pub mod resolve;
pub mod version;
pub mod workspace;

pub use access::{AccessControl, AccessError, Method};
pub use resolve::{resolve_credentials, Resolution, ResolveError, ResolveInput};
