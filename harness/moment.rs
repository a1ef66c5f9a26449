//! Points in time, for profiles that change on a date (Salesforce disabling
//! TLS 1.0) and for `run --at`. UTC, to the second; written as TOML
//! datetimes (`2016-06-25T16:30:00Z`, or a bare date for midnight UTC).

use std::fmt;

use serde::{Serialize, Serializer};
use time::format_description::well_known::Rfc3339;
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

/// Why a text or a TOML datetime is not a [`Moment`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MomentError {
    /// The text is not a TOML date or datetime at all.
    #[error("`{0}` is not a date (2017-07-21) or datetime (2016-06-25T16:30:00Z)")]
    NotADate(String),
    /// A bare time, with no date.
    #[error("a time without a date is not a moment")]
    NoDate,
    /// A field out of its range (month 13, February 30, hour 24, an offset
    /// past a day).
    #[error(transparent)]
    OutOfRange(#[from] time::error::ComponentRange),
}

/// A point in time, UTC, to the second.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Moment(i64);

impl Moment {
    /// The current time.
    pub fn now() -> Moment {
        Moment(OffsetDateTime::now_utc().unix_timestamp())
    }

    /// The moment `seconds` after the Unix epoch; `None` outside the years
    /// a date can be written in (-9999 to 9999).
    pub fn from_unix(seconds: i64) -> Option<Moment> {
        OffsetDateTime::from_unix_timestamp(seconds)
            .ok()
            .map(|_| Moment(seconds))
    }

    /// Seconds since the Unix epoch.
    pub fn unix(self) -> i64 {
        self.0
    }

    /// The moment `seconds` earlier.
    pub fn minus_seconds(self, seconds: i64) -> Moment {
        Moment(self.0 - seconds)
    }

    /// From a TOML datetime: an offset datetime as given, a local datetime
    /// as UTC, a bare date as midnight UTC. A bare time is refused.
    pub fn from_toml(dt: &toml::value::Datetime) -> Result<Moment, MomentError> {
        let d = dt.date.ok_or(MomentError::NoDate)?;
        let month = Month::try_from(d.month)?;
        let date = Date::from_calendar_date(i32::from(d.year), month, d.day)?;
        let time = match dt.time {
            Some(t) => Time::from_hms_nano(t.hour, t.minute, t.second, t.nanosecond)?,
            None => Time::MIDNIGHT,
        };
        let offset = match dt.offset {
            Some(toml::value::Offset::Custom { minutes }) => {
                UtcOffset::from_whole_seconds(i32::from(minutes) * 60)?
            }
            Some(toml::value::Offset::Z) | None => UtcOffset::UTC,
        };
        Ok(Moment(
            PrimitiveDateTime::new(date, time)
                .assume_offset(offset)
                .unix_timestamp(),
        ))
    }

    /// Parses the TOML spelling: `2017-07-21`, `2016-06-25T16:30:00Z`. Also
    /// the `--at` options' value parser: clap prints the error's text.
    pub fn parse(text: &str) -> Result<Moment, MomentError> {
        let dt: toml::value::Datetime = text
            .trim()
            .parse()
            .map_err(|_| MomentError::NotADate(text.to_string()))?;
        Self::from_toml(&dt)
    }
}

impl fmt::Display for Moment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let dt = OffsetDateTime::from_unix_timestamp(self.0).map_err(|_| fmt::Error)?;
        f.write_str(&dt.format(&Rfc3339).map_err(|_| fmt::Error)?)
    }
}

impl Serialize for Moment {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_datetimes_and_offsets_agree() {
        let midnight = Moment::parse("2017-07-22").unwrap();
        assert_eq!(midnight, Moment::parse("2017-07-22T00:00:00Z").unwrap());
        assert_eq!(
            midnight,
            Moment::parse("2017-07-22T02:00:00+02:00").unwrap()
        );
        assert_eq!(midnight.to_string(), "2017-07-22T00:00:00Z");
        let cutover = Moment::parse("2016-06-25T16:30:00Z").unwrap();
        assert_eq!(cutover.unix(), 1_466_872_200);
        assert_eq!(Moment::parse("16:30:00"), Err(MomentError::NoDate));
        assert_eq!(
            Moment::parse("yesterday").map_err(|e| e.to_string()),
            Err(
                "`yesterday` is not a date (2017-07-21) or datetime (2016-06-25T16:30:00Z)"
                    .to_string()
            )
        );
        let month_13 = Moment::parse("2017-13-01").map_err(|e| e.to_string());
        assert!(month_13.is_err(), "{month_13:?}");
    }
}
