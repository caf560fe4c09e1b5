//! One error type for every HTTP handler: clients get a message they can show,
//! internals go to the log (with ids, never record content).

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use qalf_shared::api::ErrorBody;

use crate::db::DbError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("sign in to continue")]
    Unauthorized,
    #[error("you do not have access to this")]
    Forbidden,
    /// The person is no longer in the staff directory (410, so the app
    /// knows to delete this device's copy of their records).
    #[error("you are no longer on the staff list, so QALF has signed you out")]
    Departed,
    #[error("not found")]
    NotFound,
    #[error("{0}")]
    BadRequest(String),
    /// What was asked for was done already and is kept as it was.
    #[error("{0}")]
    Conflict(String),
    #[error("the username or password is wrong")]
    BadCredentials,
    #[error("too many sign-in attempts: wait a minute and try again")]
    TooManyAttempts,
    #[error("this request came from another website, so it was refused")]
    OtherSite,
    #[error("the server is busy: try again in a moment")]
    Busy,
    #[error("{0}")]
    OverQuota(String),
    #[error("the access log cannot be written, so records cannot be shown: tell your IT team")]
    LogUnavailable,
    #[error("something went wrong on the server")]
    Internal(#[from] anyhow::Error),
}

impl From<DbError> for AppError {
    fn from(e: DbError) -> Self {
        AppError::Internal(e.into())
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = match &self {
            AppError::Unauthorized | AppError::BadCredentials => StatusCode::UNAUTHORIZED,
            AppError::Forbidden | AppError::OtherSite => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Departed => StatusCode::GONE,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::TooManyAttempts | AppError::OverQuota(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::Busy | AppError::LogUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(e) => {
                tracing::error!(error = %e, "request failed");
                StatusCode::INTERNAL_SERVER_ERROR
            }
        };
        let body = ErrorBody {
            error: self.to_string(),
        };
        (status, Json(body)).into_response()
    }
}

pub type AppResult<T> = Result<T, AppError>;
