"""Bad inputs end in a typed error with a message and a fix (exit code 2 in the CLI), never a crash; a face
that leaves the frame for a moment gives warnings, not an error."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest
from typer.testing import CliRunner

from facebalance.cli import app
from facebalance.dynamics.assess import assess_photos, assess_video
from facebalance.dynamics.errors import (
    CorruptVideo,
    EmptyVideo,
    NoFaceInRecording,
    NotAVideo,
    PhotoSeriesError,
    VideoTooLarge,
    VideoTooSmall,
)
from facebalance.dynamics.video import VideoLimits, VideoReader
from facebalance.errors import FacebalanceError
from tests.dynamics.dynamics_videos import write_video


def _grey(n: int, size: int = 240) -> list[np.ndarray]:
    return [np.full((size, size, 3), 128, np.uint8)] * n


def test_a_text_file_is_not_a_video(tmp_path: Path) -> None:
    path = tmp_path / "notes.mp4"
    path.write_text("not a video at all, just text pretending to be one\n" * 20)
    with pytest.raises(NotAVideo, match="not a video"):
        assess_video(path)


def test_a_photo_is_not_a_video(tmp_path: Path, patient_ada_photo: Path) -> None:
    path = tmp_path / "ada.mp4"
    path.write_bytes(patient_ada_photo.read_bytes())
    with pytest.raises(NotAVideo, match="photo"):
        assess_video(path)


def test_missing_and_empty_files_are_refused(tmp_path: Path) -> None:
    with pytest.raises(NotAVideo, match="no file"):
        assess_video(tmp_path / "absent.mp4")
    (tmp_path / "empty.mp4").write_bytes(b"")
    with pytest.raises(EmptyVideo):
        assess_video(tmp_path / "empty.mp4")


def test_a_video_with_zero_frames_is_empty(tmp_path: Path) -> None:
    path = tmp_path / "zero.mp4"
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=30)
        stream.width, stream.height, stream.pix_fmt = 320, 240, "yuv420p"
        container.start_encoding()  # header and track written, no frame
    with pytest.raises(EmptyVideo, match="no video frames") as caught:
        assess_video(path)
    assert caught.value.hint


def test_a_truncated_video_is_corrupt(tmp_path: Path, ada_face: np.ndarray) -> None:
    full = write_video(tmp_path / "full.mp4", [ada_face] * 10, codec="libx264")
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(full.read_bytes()[:600])
    with pytest.raises((CorruptVideo, EmptyVideo)):
        assess_video(cut)


def test_limits_are_enforced_before_decoding(tmp_path: Path) -> None:
    path = write_video(tmp_path / "grey.mkv", _grey(20))
    with pytest.raises(VideoTooLarge, match="px a side"):
        assess_video_with(path, VideoLimits(max_side_px=200))
    with pytest.raises(VideoTooLarge):
        assess_video_with(path, VideoLimits(max_frames=10))
    with pytest.raises(VideoTooSmall):
        assess_video_with(path, VideoLimits(min_side_px=300))


def assess_video_with(path: Path, limits: VideoLimits) -> None:
    from facebalance.dynamics.assess import DynamicsOptions

    assess_video(path, options=DynamicsOptions(limits=limits))


def test_no_face_in_most_frames_is_refused(tmp_path: Path, ada_face: np.ndarray) -> None:
    frames = [ada_face] * 4 + _grey(16, ada_face.shape[0])
    with pytest.raises(NoFaceInRecording, match="only 20%"):
        assess_video(write_video(tmp_path / "mostly_empty.mkv", frames))
    with pytest.raises(NoFaceInRecording, match="any frame"):
        assess_video(write_video(tmp_path / "empty_room.mkv", _grey(10, ada_face.shape[0])))


def test_a_face_leaving_the_frame_gives_warnings(tmp_path: Path, ada_face: np.ndarray) -> None:
    # The face slides half out of the picture for 6 frames, then comes back.
    gone = np.roll(ada_face, ada_face.shape[1] // 2, axis=1)
    gone[:, : ada_face.shape[1] // 2] = 128
    frames = [ada_face] * 12 + [gone] * 6 + [ada_face] * 12
    result = assess_video(write_video(tmp_path / "leaves.mkv", frames))
    assert result.usable_frame_count < len(frames)
    assert any("not measured" in w for w in result.warnings)


def test_a_photo_series_needs_two_photos(patient_ada_photo: Path) -> None:
    with pytest.raises(PhotoSeriesError, match="at least two"):
        assess_photos([patient_ada_photo])
    with pytest.raises(PhotoSeriesError, match="labels"):
        assess_photos([patient_ada_photo, patient_ada_photo], labels=["rest"])


def test_the_reader_streams_only_the_wanted_frames(tmp_path: Path, ada_face: np.ndarray) -> None:
    frames = [np.full_like(ada_face, i * 10) for i in range(12)]
    path = write_video(tmp_path / "counting.mkv", frames)
    with VideoReader(path) as reader:
        got = [(f.index, int(f.rgb[0, 0, 0])) for f in reader.frames(wanted=[2, 7])]
    assert got == [(2, 20), (7, 70)]


def test_a_rotated_phone_video_is_turned_upright(tmp_path: Path) -> None:
    wide = np.zeros((240, 320, 3), np.uint8)
    wide[:, :40] = 255  # a white band on the stored frame's left edge
    path = tmp_path / "rotated.mp4"
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=30)
        stream.width, stream.height, stream.pix_fmt = 320, 240, "yuv420p"
        stream.set_display_rotation(90)  # to be shown turned a quarter counter-clockwise
        for _ in range(3):
            for packet in stream.encode(av.VideoFrame.from_ndarray(wide, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    with VideoReader(path) as reader:
        assert reader.info is not None and reader.info.rotation_deg == 90
        frame = next(iter(reader.frames()))
    assert frame.rgb.shape == (320, 240, 3)
    assert frame.rgb[-20:, :, 0].mean() > 200  # the left band is now at the bottom


@pytest.mark.parametrize("make", ["text", "grey"])
def test_the_cli_reports_errors_with_exit_code_2(tmp_path: Path, make: str) -> None:
    path = tmp_path / "bad.mp4"
    if make == "text":
        path.write_text("hello")
    else:
        path = write_video(tmp_path / "grey.mkv", _grey(8))
    result = CliRunner().invoke(app, ["dynamics", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "error" in result.output and "fix:" in result.output
    assert not (tmp_path / "out" / "dynamics.json").exists()


def test_every_error_is_a_facebalance_error() -> None:
    for error in (
        NotAVideo,
        CorruptVideo,
        EmptyVideo,
        VideoTooLarge,
        VideoTooSmall,
        NoFaceInRecording,
        PhotoSeriesError,
    ):
        assert issubclass(error, FacebalanceError)
