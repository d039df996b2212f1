//! The figures of a set of reviews, as `reviews stats` prints them and the
//! report draws them: count, stars, average, answered share, median time
//! to answer, flagged share (spec/ARCHIVE.md §7).

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::asc::reviews::Review;

/// The figures of a set of reviews.
#[derive(Debug, Default)]
pub(crate) struct Figures {
    /// Reviews.
    pub count: usize,
    /// Reviews with 1, 2, 3, 4 and 5 stars.
    pub stars: [usize; 5],
    rated: usize,
    star_sum: usize,
    /// Reviews with a published response.
    pub answered: usize,
    hours_to_answer: Vec<f64>,
    /// Reviews the flag checks pick out.
    pub flagged: usize,
}

impl Figures {
    /// Counts a review. Answered: a `PUBLISHED` response; its time to
    /// answer runs from the review's date to the response's last
    /// modification (an edited response counts from its last edit; one
    /// dated before its review is left out).
    pub fn add(&mut self, r: &Review, flagged: bool) {
        self.count += 1;
        if let Some(s) = r.rating.filter(|s| (1..=5).contains(s)) {
            self.stars[usize::from(s) - 1] += 1;
            self.rated += 1;
            self.star_sum += usize::from(s);
        }
        if let Some(resp) = r
            .response
            .as_ref()
            .filter(|x| x.state.as_deref() == Some("PUBLISHED"))
        {
            self.answered += 1;
            let answered = resp
                .last_modified_date
                .as_deref()
                .and_then(|d| OffsetDateTime::parse(d, &Rfc3339).ok());
            if let (Some(created), Some(answered)) = (r.created(), answered)
                && answered >= created
            {
                self.hours_to_answer
                    .push((answered - created).as_seconds_f64() / 3600.0);
            }
        }
        if flagged {
            self.flagged += 1;
        }
    }

    /// The mean of the ratings, reviews without one left out.
    pub fn average(&self) -> Option<f64> {
        (self.rated > 0).then(|| self.star_sum as f64 / self.rated as f64)
    }

    /// `n` over all reviews, 0 when there are none.
    pub fn share(&self, n: usize) -> f64 {
        if self.count == 0 {
            0.0
        } else {
            n as f64 / self.count as f64
        }
    }

    /// The median time to answer, in hours.
    pub fn median_hours(&self) -> Option<f64> {
        let mut v = self.hours_to_answer.clone();
        if v.is_empty() {
            return None;
        }
        v.sort_by(f64::total_cmp);
        let m = v.len() / 2;
        Some(if v.len() % 2 == 1 {
            v[m]
        } else {
            (v[m - 1] + v[m]) / 2.0
        })
    }
}

/// A time to answer: `12.5 h` under two days, else `3.2 d`.
pub(crate) fn duration(hours: f64) -> String {
    if hours < 48.0 {
        format!("{hours:.1} h")
    } else {
        format!("{:.1} d", hours / 24.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::asc::reviews::ResponseInfo;

    fn review(rating: Option<u8>, response: Option<(&str, &str)>) -> Review {
        Review {
            id: "r".into(),
            rating,
            title: None,
            body: None,
            reviewer_nickname: None,
            created_date: Some("2026-11-01T10:00:00-08:00".into()),
            territory: None,
            response: response.map(|(state, at)| ResponseInfo {
                id: "x".into(),
                body: None,
                last_modified_date: Some(at.into()),
                state: Some(state.into()),
            }),
        }
    }

    #[test]
    fn only_published_answers_count_and_time_runs_to_the_last_edit() {
        let mut f = Figures::default();
        f.add(
            &review(Some(5), Some(("PUBLISHED", "2026-11-01T12:00:00-08:00"))),
            false,
        );
        f.add(
            &review(
                Some(1),
                Some(("PENDING_PUBLISH", "2026-11-01T11:00:00-08:00")),
            ),
            true,
        );
        f.add(
            &review(Some(3), Some(("PUBLISHED", "2026-11-01T16:00:00-08:00"))),
            false,
        );
        // Dated before its review: answered, but no time.
        f.add(
            &review(None, Some(("PUBLISHED", "2026-10-01T00:00:00-08:00"))),
            false,
        );
        assert_eq!(f.count, 4);
        assert_eq!(f.answered, 3);
        assert_eq!(f.flagged, 1);
        assert_eq!(f.stars, [1, 0, 1, 0, 1]);
        assert_eq!(f.average(), Some(3.0));
        assert_eq!(f.median_hours(), Some(4.0));
        assert_eq!(f.share(f.answered), 0.75);
        assert_eq!(Figures::default().average(), None);
        assert_eq!(Figures::default().share(0), 0.0);
    }
}
