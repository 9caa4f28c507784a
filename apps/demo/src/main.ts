console.log("beamline demo: coming up");
