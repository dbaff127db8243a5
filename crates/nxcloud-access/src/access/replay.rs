//! Commands as changes that can be applied again.
//!
//! Three commands draw at random: `createWorkspace` (the nxCloudId) and the
//! two token creations (the token, of which only the hash is kept).
//! [`AccessControl::call_recorded`] runs a command and returns what it drew,
//! as [`Drawn`] values that hold no secret; [`AccessControl::replay`] applies
//! the same command with the same argument and the recorded draws to the
//! state it was first applied to, and yields the same state. Every other
//! part of a command is a function of the state and the argument. A store
//! can therefore keep a log of `(command, argument, drawn)` after a
//! snapshot, append one entry per command (whose cost does not grow with
//! the state), and bring any copy of the state up to date by replaying only
//! what is new.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::error::AccessError;
use super::token::TokenHash;
use super::{AccessControl, Method};

/// One value a command drew at random (never a secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Drawn {
    /// The nxCloudId of a new workspace.
    NxCloudId(String),
    /// The SHA-256 (lower-case hexadecimal) of a new token.
    TokenHash(String),
}

/// Where a command's random values come from.
pub(super) enum Draws<'a> {
    /// The operating system's generator; what is drawn is recorded here.
    Live(&'a mut Vec<Drawn>),
    /// A recorded command applied again: the values it drew, in order.
    Replay(std::slice::Iter<'a, Drawn>),
}

impl Draws<'_> {
    pub(super) fn replayed_nx_cloud_id(&mut self) -> Result<String, AccessError> {
        match self.next() {
            Some(Drawn::NxCloudId(id)) if super::token::is_nx_cloud_id(id) => Ok(id.clone()),
            _ => Err(inconsistent("an nxCloudId")),
        }
    }

    pub(super) fn replayed_token_hash(&mut self) -> Result<TokenHash, AccessError> {
        match self.next() {
            Some(Drawn::TokenHash(hex)) => {
                TokenHash::from_hex(hex).ok_or_else(|| inconsistent("a token hash"))
            }
            _ => Err(inconsistent("a token hash")),
        }
    }

    fn next(&mut self) -> Option<&Drawn> {
        match self {
            Self::Replay(drawn) => drawn.next(),
            Self::Live(_) => None,
        }
    }
}

fn inconsistent(what: &str) -> AccessError {
    AccessError::InvalidInput(format!(
        "a recorded change does not hold {what} where its command drew one: the change log is damaged; restore the state from a backup"
    ))
}

impl AccessControl {
    /// Runs one command (as [`Self::call_method`]) and returns its result
    /// and the values it drew at random, to record beside it.
    pub fn call_recorded(
        &mut self,
        method: Method,
        arg: Value,
    ) -> Result<(Value, Vec<Drawn>), AccessError> {
        let mut drawn = Vec::new();
        let result = self.call_drawn(method, arg, &mut Draws::Live(&mut drawn))?;
        Ok((result, drawn))
    }

    /// Applies a recorded command again, with the values it drew: on the
    /// state it was first applied to, the result is the state it produced.
    /// A refusal means the log does not fit this state (nothing changed).
    pub fn replay(
        &mut self,
        method: Method,
        arg: Value,
        drawn: &[Drawn],
    ) -> Result<(), AccessError> {
        self.call_drawn(method, arg, &mut Draws::Replay(drawn.iter()))
            .map(drop)
    }

    fn call_drawn(
        &mut self,
        method: Method,
        arg: Value,
        draws: &mut Draws<'_>,
    ) -> Result<Value, AccessError> {
        match method {
            Method::CreateWorkspace => {
                write(self.create_workspace_drawn(parse(method, arg)?, draws)?)
            }
            Method::CreateCiAccessToken => {
                write(self.create_ci_access_token_drawn(parse(method, arg)?, draws)?)
            }
            Method::CreatePersonalAccessToken => {
                write(self.create_personal_access_token_drawn(parse(method, arg)?, draws)?)
            }
            _ => self.call_method(method, arg),
        }
    }
}

fn parse<T: serde::de::DeserializeOwned>(method: Method, arg: Value) -> Result<T, AccessError> {
    serde_json::from_value(arg).map_err(|e| super::invalid_argument(method, &e.to_string()))
}

fn write<T: Serialize>(value: T) -> Result<Value, AccessError> {
    serde_json::to_value(value).map_err(|e| super::not_serialised(&e))
}
