//! Check-ins per hour today, as an SVG drawn by plotters (its SVG backend needs no fonts and
//! no bitmap code). The only text in it is hour numbers and counts, never a name.

use plotters::prelude::*;

/// `hours`: (hour 0-23, passes, others). An SVG document as text.
pub fn per_hour_svg(hours: &[(i32, i64, i64)]) -> Result<String, String> {
    let mut passes = [0i64; 24];
    let mut others = [0i64; 24];
    for &(h, p, o) in hours {
        if let Ok(i) = usize::try_from(h) {
            if i < 24 {
                passes[i] = p;
                others[i] = o;
            }
        }
    }
    let top = (0..24)
        .map(|i| passes[i] + others[i])
        .max()
        .unwrap_or(0)
        .max(4);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (760, 240)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let mut chart = ChartBuilder::on(&root)
            .margin(10)
            .x_label_area_size(28)
            .y_label_area_size(44)
            .build_cartesian_2d(0i32..24i32, 0i64..(top + top / 10 + 1))
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(12)
            .y_labels(5)
            .x_desc("hour")
            .label_style(("sans-serif", 13))
            .draw()
            .map_err(|e| e.to_string())?;
        let pass = RGBColor(46, 125, 50);
        let other = RGBColor(176, 190, 197);
        chart
            .draw_series((0..24i32).map(|h| {
                let p = passes[h as usize];
                Rectangle::new([(h, 0), (h + 1, p)], pass.filled())
            }))
            .map_err(|e| e.to_string())?;
        chart
            .draw_series((0..24i32).map(|h| {
                let (p, o) = (passes[h as usize], others[h as usize]);
                Rectangle::new([(h, p), (h + 1, p + o)], other.filled())
            }))
            .map_err(|e| e.to_string())?;
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(svg)
}

#[cfg(test)]
mod tests {
    #[test]
    fn draws_bars() {
        let svg = super::per_hour_svg(&[(9, 3, 1), (10, 5, 0)]).unwrap();
        assert!(svg.starts_with("<svg"), "{}", &svg[..40.min(svg.len())]);
        assert!(svg.contains("<rect"));
    }
}
