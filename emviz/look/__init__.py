"""What the views draw with: component colours, ellipse geometry, the raster, the themes'
sizes and colours, and the numbers shown as text (Qt-free)."""
