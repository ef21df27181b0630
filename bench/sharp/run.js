// run.js IN OUT OP... applies sluice's operations with sharp, one pipeline
// per operation in the order given, with raw pixels in memory between them
// (one sharp pipeline applies its operations in sharp's own fixed order,
// not in the order they are called). run.js --version prints the versions
// of sharp and of its libvips.
'use strict';
const os = require('os');
const sharp = require('sharp');

sharp.concurrency(os.cpus().length);

function apply(img, op, meta) {
  const [name, arg = ''] = op.split(':');
  const a = arg.split(',').map(Number);
  switch (name) {
    case 'blur':
      return img.blur(a[0]);
    case 'invert':
      return img.negate({ alpha: false });
    case 'median':
      return img.median(2 * a[0] + 1);
    case 'gray':
      return img.grayscale();
    case 'levels': {
      const k = 1 / (a[1] - a[0]);
      return img.linear(k, -a[0] * k * 255);
    }
    case 'sharpen':
      return img.sharpen({ sigma: 1 });
    case 'resize':
      return img.resize({
        width: Math.max(1, Math.round(meta.width * a[0])),
        height: Math.max(1, Math.round(meta.height * a[0])),
        kernel: 'lanczos3',
        fit: 'fill',
      });
  }
  throw new Error(`run.js: no sharp operation for ${op}`);
}

async function main(args) {
  if (args[0] === '--version') {
    console.log(`sharp ${sharp.versions.sharp} (libvips ${sharp.versions.vips})`);
    return;
  }
  const [inPath, outPath, ...ops] = args;
  let raw = null;
  for (let i = 0; i < ops.length; i++) {
    let img = raw
      ? sharp(raw.data, { raw: { width: raw.info.width, height: raw.info.height, channels: raw.info.channels } })
      : sharp(inPath, { limitInputPixels: false });
    const meta = raw ? raw.info : await img.metadata();
    img = apply(img, ops[i], meta);
    if (i < ops.length - 1) {
      raw = await img.raw().toBuffer({ resolveWithObject: true });
      continue;
    }
    if (meta.depth === 'ushort') {
      img = img.toColourspace('rgb16');
    }
    if (/\.jpe?g$/i.test(outPath)) {
      await img.jpeg({ quality: 90 }).toFile(outPath);
    } else {
      await img.tiff({ compression: 'none' }).toFile(outPath);
    }
  }
}

main(process.argv.slice(2)).catch((err) => {
  console.error(err.message);
  process.exit(1);
});
