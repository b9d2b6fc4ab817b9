/* The shared board of the live room: a slide image under a canvas of strokes. The teacher
   draws (points in 0..1 of the board, so every screen size sees the same drawing). */
(function () {
  "use strict";

  function Board(canvas, image, onStroke) {
    this.canvas = canvas;
    this.image = image;
    this.ctx = canvas.getContext("2d");
    this.strokes = [];
    this.onStroke = onStroke;
    if (onStroke) this.enableDrawing();
  }

  Board.prototype.show = function (board, slideUrl) {
    this.strokes = (board && board.strokes) || [];
    if (board && board.slide_id) {
      this.image.src = slideUrl(board.slide_id);
      this.image.classList.remove("d-none");
    } else {
      this.image.removeAttribute("src");
      this.image.classList.add("d-none");
    }
    this.redraw();
  };

  Board.prototype.add = function (stroke) {
    this.strokes.push(stroke);
    this.draw(stroke);
  };

  Board.prototype.redraw = function () {
    this.ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    this.strokes.forEach(this.draw, this);
  };

  Board.prototype.draw = function (stroke) {
    var ctx = this.ctx, w = this.canvas.width, h = this.canvas.height;
    var pts = stroke.points || [];
    if (!pts.length) return;
    ctx.strokeStyle = stroke.color || "#d00";
    ctx.lineWidth = 4;
    ctx.lineCap = "round";
    ctx.beginPath();
    ctx.moveTo(pts[0][0] * w, pts[0][1] * h);
    for (var i = 1; i < pts.length; i++) ctx.lineTo(pts[i][0] * w, pts[i][1] * h);
    if (pts.length === 1) ctx.lineTo(pts[0][0] * w + 1, pts[0][1] * h);
    ctx.stroke();
  };

  Board.prototype.enableDrawing = function () {
    var self = this, current = null;
    function point(ev) {
      var r = self.canvas.getBoundingClientRect();
      return [
        Math.min(Math.max((ev.clientX - r.left) / r.width, 0), 1),
        Math.min(Math.max((ev.clientY - r.top) / r.height, 0), 1)
      ];
    }
    this.canvas.addEventListener("pointerdown", function (ev) {
      current = { points: [point(ev)], color: "#d00" };
      self.canvas.setPointerCapture(ev.pointerId);
    });
    this.canvas.addEventListener("pointermove", function (ev) {
      if (!current || current.points.length >= 200) return;
      current.points.push(point(ev));
      self.draw({ points: current.points.slice(-2), color: current.color });
    });
    function finish() {
      if (!current) return;
      var stroke = current;
      current = null;
      self.strokes.push(stroke);
      self.onStroke(stroke);
    }
    this.canvas.addEventListener("pointerup", finish);
    this.canvas.addEventListener("pointercancel", finish);
  };

  window.LiveBoard = Board;
})();
