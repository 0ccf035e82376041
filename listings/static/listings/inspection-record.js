// The inspector's phone fills in when and where the inspection is recorded (the form works without it).
const form = document.getElementById("inspection-form");
const status = document.getElementById("gps-status");

form.elements["visited_at"].value = new Date().toISOString();
if (!navigator.geolocation) {
  status.textContent = status.dataset.unavailable;
} else {
  navigator.geolocation.getCurrentPosition((position) => {
    const accuracy = Math.round(position.coords.accuracy);
    form.elements["latitude"].value = position.coords.latitude.toFixed(6);
    form.elements["longitude"].value = position.coords.longitude.toFixed(6);
    form.elements["accuracy_m"].value = accuracy;
    status.textContent = `${status.dataset.recorded} (±${accuracy} m)`;
  }, () => { status.textContent = status.dataset.refused; }, { enableHighAccuracy: true, timeout: 8000 });
}
